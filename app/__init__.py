"""Canvass: a neighborhood camera network run with the community's consent."""

__version__ = "0.1.0"
APP_NAME = "Canvass"
APP_ID = "org.canvass.Canvass"
ORG_NAME = "Canvass"
