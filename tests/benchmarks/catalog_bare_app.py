"""The baseline of the catalog benchmark: a FastAPI app whose one endpoint returns a constant."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/constant")
async def constant() -> dict[str, str]:
    return {"status": "ok"}
