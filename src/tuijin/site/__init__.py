"""The site's own pages above every module: home and the 系统管理 pages (docs/architecture.md, top layer)."""
