"""A static file server for the demo on 127.0.0.1 only, with the headers a
store would send: the right type for .wasm, a strict Content Security Policy
(no inline scripts or styles, no eval; 'wasm-unsafe-eval' only to compile the engine),
and no caching surprises for model files (they are content-addressed by the
sha256 in their card)."""

import argparse
import functools
import http.server

CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self' https: data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".wasm": "application/wasm", ".js": "text/javascript", ".bpk": "application/octet-stream", ".bought-together": "application/json"}

    def end_headers(self):
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, fmt, *args):
        pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("root")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    handler = functools.partial(Handler, directory=args.root)
    with http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler) as server:
        print(f"Vitrine demo: http://127.0.0.1:{args.port}/demo/", flush=True)
        server.serve_forever()


if __name__ == "__main__":
    main()
