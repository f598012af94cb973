"""The only package that imports mlflow: registry and tracking reads and writes."""
