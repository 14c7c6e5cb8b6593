"""provenance/cli"""
