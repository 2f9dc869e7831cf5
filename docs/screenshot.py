"""Screenshot a page with headless Chromium (Debian's package) over the DevTools protocol.

    python docs/screenshot.py URL OUT.png WIDTH HEIGHT [BUTTON-LABEL ...]

Dismisses the Dagster UI's community dialog ("Skip") and clicks any further buttons named.
"""
import base64, json, subprocess, sys, time, urllib.request
from websockets.sync.client import connect
url, out, w, h = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
proc = subprocess.Popen(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir=/tmp/chr3", f"--window-size={w},{h}", "--remote-debugging-port=9333", "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    for _ in range(50):
        try:
            target = next(t for t in json.load(urllib.request.urlopen("http://127.0.0.1:9333/json")) if t["type"] == "page"); break
        except Exception:
            time.sleep(0.3)
    ws = connect(target["webSocketDebuggerUrl"], max_size=50_000_000)
    n = [0]
    def call(method, **params):
        n[0] += 1; ws.send(json.dumps({"id": n[0], "method": method, "params": params}))
        while True:
            msg = json.loads(ws.recv())
            if msg.get("id") == n[0]: return msg.get("result", {})
    call("Page.enable"); call("Page.navigate", url=url); time.sleep(10)
    click = """(() => { const b = [...document.querySelectorAll('button')].find(x => x.textContent.trim() === '%s'); if (b) { b.click(); return true } return false })()"""
    print("skip", call("Runtime.evaluate", expression=click % "Skip", returnByValue=True))
    time.sleep(2)
    for label in sys.argv[5:]:
        print(label, call("Runtime.evaluate", expression=click % label, returnByValue=True)); time.sleep(3)
    data = call("Page.captureScreenshot", format="png")["data"]
    open(out, "wb").write(base64.b64decode(data))
finally:
    proc.terminate()
