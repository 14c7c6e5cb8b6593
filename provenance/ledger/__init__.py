"""provenance/ledger"""
