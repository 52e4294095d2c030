"""Hand-written demo catalog for Ho Chi Minh City and its loader (``manage.py load_demo``)."""
