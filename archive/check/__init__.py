"""archive/check"""
