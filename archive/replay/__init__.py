"""archive/replay"""
