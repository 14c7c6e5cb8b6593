"""provenance/report/html"""
