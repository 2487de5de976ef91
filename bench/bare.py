"""The yardstick for label intake: a bare Flask route that parses the JSON and answers 202,
served by gunicorn with the same settings as ShipSync (bench/intake.py starts it)."""
from flask import Flask, jsonify, request

app = Flask(__name__)


@app.post("/webhooks/labels")
def receive_label():
    data = request.get_json()
    return jsonify(package_id=data["package"]["id"], status="pending"), 202
