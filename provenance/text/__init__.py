"""provenance/text"""
