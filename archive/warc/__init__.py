"""archive/warc"""
