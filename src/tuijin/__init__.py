"""推进 (tuijin): a platform to run a multi-level campaign such as 主题教育."""
