"""spiders/middlewares"""
