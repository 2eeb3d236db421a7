"""A static file server for the demo on 127.0.0.1 only, with the headers a
store would send: the right type for .wasm, a strict Content Security Policy
(no inline scripts or styles, no eval; 'wasm-unsafe-eval' only to compile the engine),
no caching surprises for model files (they are content-addressed by the
sha256 in their card), and Brotli or gzip for text and wasm when the browser
accepts it, as any CDN does (Brotli from the FILE.br copies that
scripts/precompress.py writes at build time; gzip compressed here), with ETags
so a reload revalidates instead of downloading."""

import argparse
import functools
import gzip
import http.server
import io
import os
import threading

# Compressed once per file version (path, mtime, size) and kept in memory.
COMPRESSIBLE = (".wasm", ".js", ".mjs", ".json", ".html", ".css", ".svg", ".txt", ".bought-together", ".ts")
_gzipped = {}
_gzipped_lock = threading.Lock()


def gzipped(path):
    stat = os.stat(path)
    key = (path, stat.st_mtime_ns, stat.st_size)
    with _gzipped_lock:
        if key not in _gzipped:
            with open(path, "rb") as f:
                _gzipped[key] = gzip.compress(f.read(), compresslevel=9, mtime=0)
        return _gzipped[key]

CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self' https: data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".wasm": "application/wasm", ".js": "text/javascript", ".bpk": "application/octet-stream", ".bought-together": "application/json"}

    def encoding(self, path):
        """The Content-Encoding to send `path` with: br, gzip or None."""
        if not (os.path.isfile(path) and path.endswith(COMPRESSIBLE)):
            return None
        accepted = [e.split(";")[0].strip() for e in self.headers.get("Accept-Encoding", "").split(",")]
        brotli_copy = path + ".br"
        if "br" in accepted and os.path.isfile(brotli_copy) and os.stat(brotli_copy).st_mtime_ns >= os.stat(path).st_mtime_ns:
            return "br"
        return "gzip" if "gzip" in accepted else None

    def send_head(self):
        path = self.translate_path(self.path)
        encoding = self.encoding(path)
        if encoding is None:
            return super().send_head()
        # Revalidation (every file is sent with no-cache) answers 304 from the
        # ETag, so a reload takes the engine from the browser's cache, with
        # its compiled wasm code, instead of downloading it again.
        stat = os.stat(path)
        etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}-{encoding}"'
        modified = self.date_time_string(int(stat.st_mtime))
        if etag in self.headers.get("If-None-Match", "") or self.headers.get("If-Modified-Since") == modified:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Vary", "Accept-Encoding")
            self.end_headers()
            return None
        if encoding == "br":
            with open(path + ".br", "rb") as f:
                body = f.read()
        else:
            body = gzipped(path)
        self.send_response(200)
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", modified)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", encoding)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return io.BytesIO(body)

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
