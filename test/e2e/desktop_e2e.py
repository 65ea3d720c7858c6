#!/usr/bin/env python3
"""The desktop app end to end (issue 10), run by desktop_e2e_test.sh inside Xvfb and a private
D-Bus session: nubo starts with an empty config under a tray host (trayer); its wizard is completed
through Login Flow v2, whose login page nubo-server serves and headless Chromium fills in; a folder
is added and syncs; end-to-end encryption is set up; an empty server folder is encrypted through
the folder tree's right-click menu; files put in it reach the server encrypted; the 12 words are
shown after re-authentication and equal the ones set up; then the activity list and the tray menu.

Every control is found by its role and accessible name through AT-SPI and pressed or filled in
through it, as a screen reader user would; that the tray menu, the folder list and the mnemonic
grid read through AT-SPI is asserted along the way. xdotool only clicks where AT-SPI cannot reach:
the tray icon inside trayer, and the right-click that opens a context menu. Each step leaves a
screenshot (PNG) in --screenshots. Waits poll a condition with a deadline; nothing sleeps blindly.
"""

import argparse
import base64
import os
import random
import re
import shutil
import subprocess
import sys
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pyatspi
from gi.repository import Atspi, GLib

USER, PASSWORD = "alice", "correct horse battery staple"
PHOTOS = 24            # files seeded on the server, downloaded by the first sync
PHOTO_SIZE = 96 * 1024
DOWNLOAD_DELAY_MS = 1000  # per photo download (the server's fault injection; 6 at a time): ~4 s of progress

ARGS = None
STEP = [0]
PROCS = {}    # name -> Popen, stopped at the end
LOGS = {}     # name -> log file path


class Failure(Exception):
    pass


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def check(condition, what):
    if not condition:
        raise Failure(what)
    log(f"ok - {what}")


def wait_for(what, probe, timeout=30.0, interval=0.1):
    """Polls probe() until it returns something truthy; that value, or Failure after timeout."""
    deadline = time.monotonic() + timeout
    last_error = None
    while True:
        pump_events()
        try:
            value = probe()
            if value:
                return value
        except Failure:
            raise
        except Exception as error:  # noqa: BLE001 - AT-SPI raises GLib errors for objects that went away
            last_error = error
        if time.monotonic() > deadline:
            raise Failure(f"timed out after {timeout:.0f} s waiting for {what}"
                          + (f" (last error: {last_error})" if last_error else ""))
        time.sleep(interval)


def screenshot(name):
    STEP[0] += 1
    path = Path(ARGS.screenshots) / f"{STEP[0]:02d}-{name}.png"
    subprocess.run(["import", "-window", "root", str(path)], check=True, timeout=30,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    log(f"screenshot {path.name}")
    return path


# ---- AT-SPI -----------------------------------------------------------------------------------

# A popup menu is not among the application's children in Qt's AT-SPI tree (no popup is): a screen
# reader learns of it from its "showing" event, and so does this driver.
SHOWN_MENUS = []


def on_showing(event):
    try:
        if event.detail1 and event.source.getRole() in (pyatspi.ROLE_POPUP_MENU, pyatspi.ROLE_MENU):
            SHOWN_MENUS.append(event.source)
    except Exception:  # noqa: BLE001 - gone meanwhile
        pass


def listen_for_menus():
    pyatspi.Registry.registerEventListener(on_showing, "object:state-changed:showing")


def pump_events():
    context = GLib.MainContext.default()
    while context.pending():
        context.iteration(False)


def app_root():
    desktop = pyatspi.Registry.getDesktop(0)
    for i in reversed(range(desktop.childCount)):  # the newest registration first
        # An application that quit, or re-registered (Qt's bridge does when the accessibility
        # status of the session changes), can linger in the list: only one that answers counts.
        try:
            app = desktop.getChildAtIndex(i)
            if app is None or (app.name or "").lower() != "nubo":
                continue
            app.getRole()
            if app.childCount == 0:
                continue
            app.getChildAtIndex(0).getRole()
            app.set_cache_mask(Atspi.Cache.NONE)  # nothing read stale: events are not all followed
            return app
        except Exception:  # noqa: BLE001
            continue
    return None


def showing(acc):
    states = acc.getState()
    return states.contains(pyatspi.STATE_SHOWING) and states.contains(pyatspi.STATE_VISIBLE)


def walk(root, max_depth=40, only_showing=True):
    """Every accessible under root (root first), depth first; hidden subtrees skipped."""
    stack = [(root, 0)]
    while stack:
        acc, depth = stack.pop()
        if acc is None:
            continue
        try:
            if only_showing and depth > 1 and not showing(acc):
                continue
            yield acc
            if depth >= max_depth:
                continue
            count = acc.childCount
            if acc.getRole() in (pyatspi.ROLE_TABLE, pyatspi.ROLE_TREE_TABLE, pyatspi.ROLE_TREE) and count > 400:
                count = 400
            children = [acc.getChildAtIndex(i) for i in range(count)]
        except Exception:  # noqa: BLE001 - gone meanwhile
            continue
        for child in reversed(children):
            stack.append((child, depth + 1))


def same(wanted, text):
    return wanted is None or (bool(re.fullmatch(wanted, text or "")) if isinstance(wanted, re.Pattern)
                              else (text or "") == wanted)


def matches(acc, role, name, description=None):
    if role is not None and acc.getRole() != role:
        return False
    return same(name, acc.name) and same(description, acc.description)


def find_all(root, role=None, name=None, only_showing=True, description=None):
    return [acc for acc in walk(root, only_showing=only_showing) if matches(acc, role, name, description)]


def find(what, role=None, name=None, root=None, timeout=30.0, enabled=False, description=None):
    """The first accessible under root (the app) with that role, name and description; waits for it."""
    def probe():
        base = root if root is not None else app_root()
        if base is None:
            return None
        for acc in find_all(base, role, name, description=description):
            if not enabled or acc.getState().contains(pyatspi.STATE_ENABLED):
                return acc
        return None
    return wait_for(what, probe, timeout)


def role_name(acc):
    return acc.getRoleName()


def press(acc, what=None):
    action = acc.queryAction()
    names = [action.getName(i) for i in range(action.nActions)]
    for wanted in ("press", "Press", "click", "activate", "toggle", "SetFocus"):
        if wanted in names:
            action.doAction(names.index(wanted))
            log(f"pressed {what or acc.name!r}")
            return
    raise Failure(f"{what or acc.name!r} ({role_name(acc)}) has no press action: {names}")


def set_text(acc, text):
    acc.queryEditableText().setTextContents(text)
    if acc.getRole() == pyatspi.ROLE_PASSWORD_TEXT:  # reads as bullets: only its length shows
        wait_for(f"the text of {acc.name!r}", lambda: acc.queryText().characterCount == len(text), 5)
    else:
        wait_for(f"the text of {acc.name!r}", lambda: text_of(acc) == text, 5)


def text_of(acc):
    try:
        text = acc.queryText()
        return text.getText(0, -1)
    except NotImplementedError:
        return acc.name or ""


def window_named(title, timeout=30.0):
    """A top-level window (a child of the application) shown now with that name."""
    def probe():
        app = app_root()
        if app is None:
            return None
        for i in range(app.childCount):
            window = app.getChildAtIndex(i)
            if window is not None and window.name == title and showing(window):
                return window
        return None
    return wait_for(f"the window {title!r}", probe, timeout)


def dump(root, out, depth=0, max_depth=30):
    """The tree under root, one accessible a line (role, name, description, states that matter)."""
    try:
        states = root.getState()
        flags = "".join(flag for flag, state in (("S", pyatspi.STATE_SHOWING), ("E", pyatspi.STATE_ENABLED),
                                                  ("F", pyatspi.STATE_FOCUSED)) if states.contains(state))
        out.write(f"{'  ' * depth}[{root.getRoleName()}] {root.name!r} {root.description!r} {flags}\n")
        if depth < max_depth:
            for i in range(min(root.childCount, 200)):
                dump(root.getChildAtIndex(i), out, depth + 1, max_depth)
    except Exception as error:  # noqa: BLE001
        out.write(f"{'  ' * depth}<{error}>\n")


def center_of(acc):
    box = acc.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
    return box.x + box.width // 2, box.y + box.height // 2


def xdotool(*args):
    subprocess.run(["xdotool", *map(str, args)], check=True, timeout=20)


def popup_menu(name=None):
    """The popup menu shown now (the last one announced that still shows), or None."""
    pump_events()
    for menu in reversed(SHOWN_MENUS):
        try:
            if showing(menu) and (name is None or menu.name == name):
                return menu
        except Exception:  # noqa: BLE001 - closed and gone
            pass
    return None


def menu_items(menu):
    return [menu.getChildAtIndex(i) for i in range(menu.childCount)]


# ---- the server -------------------------------------------------------------------------------

def http(method, path, body=None, headers=None, expect=(200, 201, 204, 207)):
    request = urllib.request.Request(ARGS.url + path, data=body, method=method)
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    request.add_header("Authorization", f"Basic {token}")
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            status, data = reply.status, reply.read()
    except urllib.error.HTTPError as error:
        status, data = error.code, error.read()
    if expect and status not in expect:
        raise Failure(f"{method} {path}: HTTP {status}: {data[:300]!r}")
    return status, data


def dav(path):
    return f"/remote.php/dav/files/{USER}{path}"


def propfind_children(path):
    """(name, is_folder) of a server folder's children, as the server lists them to an E2EE client."""
    _, body = http("PROPFIND", dav(path), b'<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop>'
                   b'<d:resourcetype/></d:prop></d:propfind>',
                   {"Depth": "1", "Content-Type": "application/xml", "X-E2EE-SUPPORTED": "true"})
    ns = {"d": "DAV:"}
    base = urllib.parse.unquote(dav(path)).rstrip("/")
    out = []
    for response in ET.fromstring(body).findall("d:response", ns):
        href = urllib.parse.unquote(response.find("d:href", ns).text).rstrip("/")
        if href == base:
            continue
        folder = response.find(".//d:resourcetype/d:collection", ns) is not None
        out.append((href.rsplit("/", 1)[-1], folder))
    return out


def start_server(work):
    data = work / "server-data"
    data.mkdir()
    out, err = work / "server.out", work / "server.err"
    LOGS["nubo-server"] = err
    PROCS["nubo-server"] = subprocess.Popen(
        [ARGS.server, "--data", str(data), "--listen", "127.0.0.1:0", "--add-user", f"{USER}:{PASSWORD}",
         "--faults", f"GET /remote.php/dav/files/{USER}/Photos/* delay={DOWNLOAD_DELAY_MS}"],
        stdout=out.open("w"), stderr=err.open("w"), stdin=subprocess.DEVNULL)

    def listening():
        match = re.search(r"^listening on (http://[^ ]*:\d+)/?$", out.read_text(), re.M)
        if PROCS["nubo-server"].poll() is not None:
            raise Failure(f"nubo-server exited: {err.read_text()}")
        return match.group(1) if match else None
    ARGS.url = wait_for("nubo-server to listen", listening, 15)
    log(f"nubo-server at {ARGS.url}")
    # What the account holds before nubo sees it: photos to download, and an empty folder to encrypt.
    http("MKCOL", dav("/Photos"))
    rng = random.Random(10)
    for i in range(PHOTOS):
        http("PUT", dav(f"/Photos/photo-{i:02d}.jpg"), rng.randbytes(PHOTO_SIZE))
    http("MKCOL", dav("/Vault"))


# ---- the desktop around nubo ------------------------------------------------------------------

def start_keyring(work):
    # Unlocked with a password read from stdin; registers the Secret Service on this session bus.
    done = subprocess.run(["gnome-keyring-daemon", "--unlock", "--components=secrets"], input=b"unlock",
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
    if done.returncode != 0:
        raise Failure(f"gnome-keyring-daemon did not start: {done.stdout.decode(errors='replace')}")
    log("gnome-keyring unlocked")


def start_tray(work):
    log_file = work / "trayer.log"
    LOGS["trayer"] = log_file
    PROCS["trayer"] = subprocess.Popen(
        ["trayer", "--edge", "top", "--align", "right", "--widthtype", "request", "--height", "32",
         "--SetDockType", "true", "--transparent", "false", "--tint", "0x3c3c3c", "--expand", "false"],
        stdout=log_file.open("w"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def mapped():
        found = subprocess.run(["xdotool", "search", "--onlyvisible", "--classname", "^panel$"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        return found.stdout.split()[0] if found.stdout.split() else None
    ARGS.trayer = wait_for("trayer's window", mapped, 15)
    log(f"trayer window {ARGS.trayer}")


def write_browser_shim(work):
    """An xdg-open first in nubo's PATH: the URL it is asked to open goes to a file the driver reads."""
    bin_dir = work / "bin"
    bin_dir.mkdir()
    urls = work / "opened-urls"
    urls.touch()
    shim = bin_dir / "xdg-open"
    shim.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{urls}'\n")
    shim.chmod(0o755)
    return bin_dir, urls


def start_nubo(work, bin_dir):
    env = dict(os.environ)
    env.update(PATH=f"{bin_dir}:{env['PATH']}", QT_QPA_PLATFORM="xcb", QT_LINUX_ACCESSIBILITY_ALWAYS_ON="1",
               QT_ACCESSIBILITY="1", QT_STYLE_OVERRIDE="Fusion")
    log_file = work / "nubo.log"
    LOGS["nubo"] = log_file
    # NUBO_E2E_GDB=1: under gdb, which prints the threads' backtraces if nubo crashes.
    command = ([shutil.which("gdb"), "-q", "-batch", "-ex", "run", "-ex", "thread apply all bt", "--args", ARGS.nubo]
               if os.environ.get("NUBO_E2E_GDB") and shutil.which("gdb") else [ARGS.nubo])
    PROCS["nubo"] = subprocess.Popen(command, env=env, stdout=log_file.open("w"), stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)

    def running():
        if PROCS["nubo"].poll() is not None:
            raise Failure(f"nubo exited with {PROCS['nubo'].returncode}")
        return "nubo: running" in log_file.read_text()
    wait_for("nubo to start", running, 20)
    check("in the system tray" in log_file.read_text(), "nubo found the system tray (trayer, XEmbed)")
    wait_for("nubo on the accessibility bus", app_root, 20)
    listen_for_menus()
    log("nubo is on the accessibility bus")


def tray_icon_position():
    """The middle of nubo's icon: trayer holds only it."""
    out = subprocess.run(["xdotool", "getwindowgeometry", "--shell", ARGS.trayer], stdout=subprocess.PIPE,
                         text=True, check=True).stdout
    geometry = dict(line.split("=", 1) for line in out.split())
    x, y, w, h = (int(geometry[k]) for k in ("X", "Y", "WIDTH", "HEIGHT"))
    return x + w // 2, y + h // 2


def open_tray_menu():
    x, y = tray_icon_position()

    def opened():
        menu = popup_menu("Nubo menu")
        if menu is None:
            xdotool("mousemove", x, y, "click", "3")
            menu = wait_for_quietly(lambda: popup_menu("Nubo menu"), 2.0)
        return menu
    return wait_for("the tray menu (right-click on the tray icon)", opened, 20)


def wait_for_quietly(probe, timeout):
    try:
        return wait_for("", probe, timeout)
    except Failure:
        return None


def close_menus():
    while popup_menu() is not None:
        xdotool("key", "Escape")
        wait_for_quietly(lambda: popup_menu() is None, 2.0)


# ---- the browser ------------------------------------------------------------------------------

def log_in_with_chromium(url, work):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1000,700", "--no-first-run", "--password-store=basic",
                     f"--user-data-dir={work / 'chromium-profile'}"):
        options.add_argument(argument)
    if Path("/usr/bin/chromium").exists():
        options.binary_location = "/usr/bin/chromium"
    service = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver",
                      log_path=str(work / "chromedriver.log"))
    browser = webdriver.Chrome(service=service, options=options)
    try:
        browser.set_page_load_timeout(30)
        browser.get(url)
        wait = WebDriverWait(browser, 20)
        user = wait.until(expected_conditions.presence_of_element_located((By.NAME, "user")))
        check("Connect a client" in browser.page_source, "Chromium shows nubo-server's login page")
        user.send_keys(USER)
        browser.find_element(By.NAME, "password").send_keys(PASSWORD)
        STEP[0] += 1
        browser.save_screenshot(str(Path(ARGS.screenshots) / f"{STEP[0]:02d}-browser-login-page.png"))
        browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
        wait.until(expected_conditions.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Access granted"))
        STEP[0] += 1
        browser.save_screenshot(str(Path(ARGS.screenshots) / f"{STEP[0]:02d}-browser-access-granted.png"))
        log("the browser granted access")
    finally:
        browser.quit()


# ---- the steps --------------------------------------------------------------------------------

def run(work):
    local = Path(os.environ["HOME"]) / "Nubo"
    start_server(work)
    start_keyring(work)
    start_tray(work)
    bin_dir, urls = write_browser_shim(work)
    check(not (Path(os.environ["XDG_CONFIG_HOME"]) / "Nubo").exists(), "nubo starts with an empty config")
    start_nubo(work, bin_dir)

    # -- the tray menu, read through AT-SPI
    wizard = window_named("Account wizard")
    menu = open_tray_menu()
    names = [item.name for item in menu_items(menu)]
    check("Settings…" in names and "Quit Nubo" in names, f"the tray menu reads through AT-SPI: {names}")
    screenshot("tray-menu")
    close_menus()

    # -- the wizard: the server's address
    address = find("the server address field", pyatspi.ROLE_TEXT, "Server address", wizard)
    set_text(address, ARGS.url)
    screenshot("wizard-server")
    press(find("Next", pyatspi.ROLE_PUSH_BUTTON, re.compile(r"Next.*"), wizard, enabled=True))

    # -- the login: nubo opens the browser (our xdg-open), Chromium logs in, nubo's poll gets the password
    login_url = wait_for("nubo to open the login page in the browser",
                         lambda: next((line for line in urls.read_text().split() if "/login/v2/flow/" in line), None),
                         30)
    check(login_url.startswith(ARGS.url + "/index.php/login/v2/flow/"), f"nubo opened {login_url[:60]}…")
    # A status label's text is its accessible name; its description says what it is.
    status = find("the login status", pyatspi.ROLE_LABEL, None, wizard, description="Login status")
    wait_for("the status to say the browser shows the login page",
             lambda: "log in there" in text_of(status), 10)
    screenshot("wizard-login-waiting")
    log_in_with_chromium(login_url, work)
    wait_for("the wizard to log in", lambda: "Logged in as alice" in text_of(status), 30)
    check("system keychain" in text_of(status), "the app password is kept in the system keychain (gnome-keyring)")
    finish = find("Finish", pyatspi.ROLE_PUSH_BUTTON, re.compile(r"Finish|Done"), wizard, enabled=True)
    screenshot("wizard-done")
    press(finish)
    config_dir = Path(os.environ["XDG_CONFIG_HOME"]) / "Nubo"
    conf = wait_for("the account in nubo.conf", lambda: (config_dir / "nubo.conf").exists()
                    and USER in (text := (config_dir / "nubo.conf").read_text()) and text, 10)
    check(not (config_dir / "secrets.json").exists() and PASSWORD not in conf,
          "the account is saved in nubo.conf, its app password in no file")

    # -- the first folder: the whole account into ~/Nubo
    dialog = window_named("Add a folder to sync")
    find("the server folders listed", None, "Photos", dialog)
    local_field = find("the local folder field", pyatspi.ROLE_TEXT, "Local folder", dialog)
    check(text_of(local_field) == str(local), f"the local folder proposed is {local}")
    screenshot("add-folder")
    press(find("Sync this folder", pyatspi.ROLE_PUSH_BUTTON, "Sync this folder", dialog, enabled=True))

    settings = window_named("Nubo settings")
    row = find("the folder's row", None, "Folder Nubo", settings)

    def folder_status():
        """The folder row's status line, read afresh (the row is made again when the folders restart)."""
        return find("the folder's status", pyatspi.ROLE_LABEL, None, settings, description="Status of Nubo").name
    folder_status()

    def mid_sync():
        progress = find_all(settings, pyatspi.ROLE_PROGRESS_BAR, "Progress of Nubo")  # shown while syncing
        if not progress:
            return None
        value = progress[0].queryValue()
        text = folder_status()
        return (text.startswith("Syncing") and 0 < value.currentValue < value.maximumValue
                and f"{text} (progress bar at {value.currentValue:.0f} of {value.maximumValue:.0f})")
    shown = wait_for("the progress of the first sync", mid_sync, 60, 0.05)
    screenshot("folders-progress")
    check(True, f"the folder list reads through AT-SPI mid-sync: {shown!r}")

    def synced():
        files = sorted(p.name for p in (local / "Photos").glob("*.jpg")) if (local / "Photos").is_dir() else []
        text = folder_status()
        return len(files) == PHOTOS and (local / "Vault").is_dir() and not text.startswith(("Syncing", "Looking",
                                                                                               "Waiting")) and text
    final = wait_for("the first sync to finish", synced, 90)
    check("up to date" in final or "down" in final, f"the first sync finished: {final!r}")
    screenshot("folders-synced")

    # -- end-to-end encryption: the key and its 12 words
    press(find("the Encryption tab", pyatspi.ROLE_PAGE_TAB, "Encryption", settings))
    press(find("Set up end-to-end encryption", pyatspi.ROLE_PUSH_BUTTON, "Set up end-to-end encryption", settings,
               timeout=30, enabled=True))
    word_pattern = re.compile(r"Word (\d+): ([a-z]+)")

    def grid_words():
        labels = find_all(settings, None, word_pattern)
        return len(labels) == 12 and labels
    labels = wait_for("the 12 words in the grid", grid_words, 60)
    words = [""] * 12
    for label in labels:
        number, word = word_pattern.fullmatch(label.name).groups()
        words[int(number) - 1] = word
    check(all(words) and len(set(words)) >= 10, "the mnemonic grid reads through AT-SPI: 12 words")
    screenshot("mnemonic-grid")
    press(find("I have written them down", pyatspi.ROLE_PUSH_BUTTON, "I have written them down", settings))

    asked = wait_for("the two words asked back",
                     lambda: len(fields := find_all(settings, pyatspi.ROLE_TEXT, re.compile(r"Word \d+"))) == 2
                     and fields)
    for field in asked:
        set_text(field, words[int(field.name.split()[1]) - 1])
    screenshot("mnemonic-confirmation")
    press(find("Check", pyatspi.ROLE_PUSH_BUTTON, "Check", settings))
    show_words = find("the set-up page (Show the 12 words)", pyatspi.ROLE_PUSH_BUTTON, "Show the 12 words",
                      settings, timeout=30)
    fingerprint = find("the key's fingerprint", pyatspi.ROLE_LABEL, re.compile(r"[0-9A-Fa-f:]{40,}"),
                       settings, description="Your key's fingerprint")
    check(True, f"end-to-end encryption is set up on this device, the key's fingerprint reads {fingerprint.name[:23]}…")
    screenshot("encryption-set-up")

    # -- Encrypt on the empty server folder, from the folder tree's right-click menu
    press(find("the Folders tab", pyatspi.ROLE_PAGE_TAB, "Folders", settings))
    press(find("Choose what to sync", pyatspi.ROLE_PUSH_BUTTON, "Choose what to sync…", settings, enabled=True))
    tree_dialog = window_named("Choose what to sync in Nubo")
    vault = find("Vault in the server tree", None, "Vault", tree_dialog)

    def encrypt_menu():
        close_menus()
        x, y = center_of(vault)
        xdotool("mousemove", x, y, "click", "3")
        menu = wait_for_quietly(popup_menu, 3.0)
        if menu is None:
            return None
        entry = next((item for item in menu_items(menu) if item.name == "Encrypt"), None)
        if entry is not None and entry.getState().contains(pyatspi.STATE_ENABLED):
            return entry
        return None  # "Checking whether the folder is empty…" the first time: asked again
    entry = wait_for("an enabled Encrypt entry in Vault's menu", encrypt_menu, 30, 0.3)
    screenshot("encrypt-menu")
    press(entry)
    question = window_named("Encrypt this folder?")
    screenshot("encrypt-confirm")
    press(find("Yes", pyatspi.ROLE_PUSH_BUTTON, "Yes", question))
    find("the folder to be encrypted", None, "/Vault is now end-to-end encrypted.", tree_dialog, timeout=30)
    vault = find("Vault in the server tree", None, "Vault", tree_dialog)
    check("encrypted" in (vault.description or ""), f"the tree marks Vault encrypted: {vault.description!r}")
    screenshot("folder-encrypted")
    press(find("OK", pyatspi.ROLE_PUSH_BUTTON, "OK", tree_dialog))

    # -- files put into the local encrypted folder reach the server encrypted
    secrets = {"plan.txt": b"the secret plan, marker 3b9c7e\n" * 40,
               "scan.pdf": random.Random(3).randbytes(50_000) + b"marker 3b9c7e"}
    for name, content in secrets.items():
        (local / "Vault" / name).write_bytes(content)

    def uploaded():
        children = propfind_children("/Vault")
        files = [name for name, folder in children if not folder]
        return len(files) == len(secrets) and files
    blobs = wait_for("the files to reach the server's Vault", uploaded, 60, 0.5)
    check(all(re.fullmatch(r"[0-9a-f]{32}", name) for name in blobs),
          f"the server holds them under random 32-hex names: {blobs}")
    for name in blobs:
        _, content = http("GET", dav(f"/Vault/{name}"), headers={"X-E2EE-SUPPORTED": "true"})
        check(content not in secrets.values() and b"marker 3b9c7e" not in content and b"secret plan" not in content,
              f"{name} on the server is not the plaintext ({len(content)} bytes, no marker)")
    idle = wait_for("the folder to be idle again",
                    lambda: (text := folder_status()) and not text.startswith(("Syncing", "Looking")) and text, 60)
    check("up" in idle, f"the folder row says what the last run did: {idle!r}")
    screenshot("folders-encrypted-synced")

    # -- "Show the 12 words" after re-authentication: the same words
    press(find("the Encryption tab", pyatspi.ROLE_PAGE_TAB, "Encryption", settings))
    press(find("Show the 12 words", pyatspi.ROLE_PUSH_BUTTON, "Show the 12 words", settings, enabled=True))
    reauth = window_named("Show the 12 words")
    set_text(find("the password field", pyatspi.ROLE_PASSWORD_TEXT, "Password", reauth), PASSWORD)
    screenshot("reauthenticate")
    press(find("Show the words", pyatspi.ROLE_PUSH_BUTTON, "Show the words", reauth, enabled=True))
    labels = wait_for("the 12 words shown again", grid_words, 30)
    again = [""] * 12
    for label in labels:
        number, word = word_pattern.fullmatch(label.name).groups()
        again[int(number) - 1] = word
    screenshot("mnemonic-revealed")
    check(again == words, "the 12 words shown after re-authentication equal the ones set up")
    press(find("Hide the words", pyatspi.ROLE_PUSH_BUTTON, "Hide the words", settings))

    # -- the activity list
    press(find("the Activity tab", pyatspi.ROLE_PAGE_TAB, "Activity", settings))
    activity = find("the activity list", None, "Recent activity", settings)

    def activity_rows():
        cells = [acc.name for acc in find_all(activity, None, None) if acc is not activity and acc.name]
        text = "\n".join(cells)
        return "plan.txt" in text and "photo-00.jpg" in text and text
    rows = wait_for("the uploads and downloads in the activity list", activity_rows, 20)
    check("Uploaded" in rows and "Downloaded" in rows, "the activity list reads through AT-SPI (uploads, downloads)")
    screenshot("activity")

    # -- the tray menu with the folder, and Quit from it
    menu = open_tray_menu()
    names = [item.name for item in menu_items(menu)]
    check("Nubo" in names and "Quit Nubo" in names, f"the tray menu lists the folder: {names}")
    screenshot("tray-menu-folder")
    press(next(item for item in menu_items(menu) if item.name == "Quit Nubo"), "Quit Nubo")
    code = wait_for("nubo to quit", lambda: PROCS["nubo"].poll() is not None and [PROCS["nubo"].returncode], 30)[0]
    check(code == 0, f"nubo quit from its tray menu with exit code {code}")


def stop_all():
    for name in ("nubo", "trayer", "nubo-server"):
        proc = PROCS.get(name)
        if proc is None or proc.poll() is not None:
            continue
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def main():
    global ARGS
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nubo", required=True)
    parser.add_argument("--server", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--screenshots", required=True)
    ARGS = parser.parse_args()
    work = Path(ARGS.work)
    started = time.monotonic()
    ok = False
    try:
        run(work)
        ok = True
    except Exception as error:  # noqa: BLE001 - reported with the logs
        log(f"FAIL - {error}")
        traceback.print_exc()
        try:
            screenshot("failure")
        except Exception:  # noqa: BLE001
            pass
    finally:
        if not ok:
            if PROCS.get("nubo") is not None and PROCS["nubo"].poll() is not None:
                print(f"---- nubo exited with {PROCS['nubo'].returncode} ----")
            keep = Path(ARGS.screenshots) / "logs"
            keep.mkdir(exist_ok=True)
            if os.environ.get("NUBO_E2E_BACKTRACE") and PROCS.get("nubo") and PROCS["nubo"].poll() is None:
                with (keep / "nubo-backtrace.txt").open("w") as out:  # where a hung nubo waits
                    subprocess.run(["gdb", "-q", "-batch", "-p", str(PROCS["nubo"].pid), "-ex", "thread apply all bt"],
                                   stdout=out, stderr=subprocess.STDOUT, timeout=120)
            for name, path in LOGS.items():
                if path.exists():
                    shutil.copy(path, keep / path.name)
                    lines = path.read_text(errors="replace").splitlines()[-40:]
                    print(f"---- last lines of {name} ({path.name}) ----\n" + "\n".join(lines))
            try:
                app = app_root()
                if app is not None:
                    with (keep / "atspi-tree.txt").open("w") as out:
                        dump(app, out)
            except Exception:  # noqa: BLE001
                pass
            local = Path(os.environ["HOME"]) / "Nubo"
            if local.exists():
                print("---- the local folder ----\n" + "\n".join(
                    str(p.relative_to(local)) for p in sorted(local.rglob("*"))[:60]))
            if (work / "server.out").exists():
                shutil.copy(work / "server.out", keep / "server.out")
            if (work / "chromedriver.log").exists():
                shutil.copy(work / "chromedriver.log", keep / "chromedriver.log")
        stop_all()
    log(f"{'passed' if ok else 'FAILED'} in {time.monotonic() - started:.1f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
