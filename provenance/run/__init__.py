"""provenance/run"""
