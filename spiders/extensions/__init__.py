"""spiders/extensions"""
