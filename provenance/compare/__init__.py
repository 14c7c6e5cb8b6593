"""provenance/compare"""
