"""Blueprints that verify, record and enqueue — nothing slow, no store call."""

