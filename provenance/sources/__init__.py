"""provenance/sources"""
