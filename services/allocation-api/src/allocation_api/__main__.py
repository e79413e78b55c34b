from allocation_api.cli import app

app()
