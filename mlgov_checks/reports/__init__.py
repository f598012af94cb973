"""Reports: findings in every CI format (findings/) and the audit and inventory pages (pages/)."""
