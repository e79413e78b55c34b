from catalog_api.cli import app

app()
