"""YAML loading with marks and hostile-input limits, and the document model it builds."""
