"""archive/index"""
