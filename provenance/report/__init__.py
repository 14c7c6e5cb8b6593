"""provenance/report"""
