"""Burger Centraal podcast pipeline: a raw live recording in, a published podcast episode out."""

__version__ = "0.1.0"
