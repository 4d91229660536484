"""Drives the dashboard of a running spoold in headless Chromium, as a person would.

Logs in, sees the overview with its charts (which fill in without a reload), finds a failed task by its
error text, retries it and watches it succeed without a reload; then takes a screenshot of every page at
a desktop and a phone width. Fails (exit status 1) on the first step that does not hold, on a page wider
than a phone's screen, or on anything the browser's console reports (a script error, a blocked style).

Run by DashboardBrowserTests.swift with: --url, --user, --password, --error (the failed task's error
text), --task (its id) and --screenshots (a folder).
"""

import argparse
import base64
import os
import shutil
import sys
import tempfile
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait

SIZES = {"desktop": (1366, 900, False), "phone": (390, 844, True)}


def start_browser(profile):
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ("--headless=new", "--disable-gpu", "--disable-dev-shm-usage", f"--user-data-dir={profile}",
                     "--no-first-run", "--window-size=1366,900"):
        options.add_argument(argument)
    if os.geteuid() == 0:
        options.add_argument("--no-sandbox")  # Chromium's sandbox refuses to run as root.
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    return webdriver.Chrome(options=options, service=service)


def resize(driver, size):
    width, height, mobile = SIZES[size]
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})


def screenshot(driver, folder, size, name):
    """A PNG of the whole page, not only what the window shows, and a check that it fits the width."""
    width, _, _ = SIZES[size]
    overflow = driver.execute_script("return document.documentElement.scrollWidth")
    check(overflow <= width + 1, f"{name} is {overflow} px wide on a {width} px {size} screen")
    height = driver.execute_script("return document.documentElement.scrollHeight")
    image = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}})
    path = os.path.join(folder, f"{size}-{name}.png")
    with open(path, "wb") as file:
        file.write(base64.b64decode(image["data"]))
    print(f"screenshot {path}")


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def console_problems(driver):
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] in ("SEVERE", "WARNING")]


def main():
    parser = argparse.ArgumentParser()
    for name in ("url", "user", "password", "error", "task", "screenshots"):
        parser.add_argument(f"--{name}", required=True)
    args = parser.parse_args()
    os.makedirs(args.screenshots, exist_ok=True)
    failure = os.path.join(args.screenshots, "failure.png")
    if os.path.exists(failure):
        os.remove(failure)
    profile = tempfile.mkdtemp(prefix="spool-chromium-")
    driver = start_browser(profile)
    wait = WebDriverWait(driver, 30)
    try:
        resize(driver, "desktop")
        # Log in: the dashboard sends the browser to the login form, and back.
        driver.get(args.url + "/dashboard")
        wait.until(ready.presence_of_element_located((By.NAME, "password")))
        check("/dashboard/login" in driver.current_url, f"not sent to the login form: {driver.current_url}")
        screenshot(driver, args.screenshots, "desktop", "1-login")
        driver.find_element(By.NAME, "user").send_keys(args.user)
        driver.find_element(By.NAME, "password").send_keys(args.password)
        driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        wait.until(ready.title_contains("Overview"))
        print("logged in")

        # The overview: three charts, drawn from the sampler's counts, which refresh without a reload.
        check(len(driver.find_elements(By.CSS_SELECTOR, "svg.chart")) == 3, "the overview has not three charts")
        driver.execute_script("document.body.dataset.loaded = 'once'")
        counted = driver.find_element(By.CSS_SELECTOR, "#overview-live p.note").text
        wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "#overview-live p.note").text != counted)
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "rect.chart-bar.throughput")
                   and d.find_elements(By.CSS_SELECTOR, "polyline.chart-line"))
        check(driver.execute_script("return document.body.dataset.loaded") == "once", "the page was reloaded")
        print("the overview's counts and charts refreshed without a reload")
        screenshot(driver, args.screenshots, "desktop", "2-overview")

        # Find the failed task by its error text, in the failed tasks.
        driver.find_element(By.LINK_TEXT, "Failed").click()
        search = wait.until(ready.presence_of_element_located((By.NAME, "error")))
        search.send_keys(args.error)
        driver.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]").click()
        wait.until(lambda d: "error=" in d.current_url)
        wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, "a.id")))
        rows = driver.find_elements(By.CSS_SELECTOR, "tbody tr")
        check(len(rows) == 1, f"{len(rows)} tasks listed for the error, not 1")
        check(args.error in rows[0].text, f"the row does not show the error: {rows[0].text}")
        screenshot(driver, args.screenshots, "desktop", "3-failed-tasks")
        rows[0].find_element(By.CSS_SELECTOR, "a.id").click()
        wait.until(ready.text_to_be_present_in_element((By.ID, "task-state"), "dead"))
        check(args.task in driver.title, f"not the task's page: {driver.title}")
        screenshot(driver, args.screenshots, "desktop", "4-task-dead")

        # Retry it, and watch it succeed: the live update shows the new state without a reload.
        driver.find_element(By.XPATH, "//button[normalize-space()='Retry now']").click()
        wait.until(ready.text_to_be_present_in_element((By.CSS_SELECTOR, "p.flash"), "is due now"))
        driver.execute_script("document.body.dataset.loaded = 'once'")
        wait.until(ready.text_to_be_present_in_element((By.ID, "task-state"), "done"))
        check(driver.execute_script("return document.body.dataset.loaded") == "once", "the page was reloaded")
        check("charged" in driver.find_element(By.ID, "task-live").text, "the result is not shown")
        print("the retried task succeeded, shown without a reload")
        screenshot(driver, args.screenshots, "desktop", "5-task-done")

        pages = [("2-overview", "/dashboard"), ("3-failed-tasks", "/dashboard/tasks?state=dead&order=newest"),
                 ("5-task-done", f"/dashboard/tasks/{args.task}"), ("6-tasks", "/dashboard/tasks"),
                 ("7-enqueue", "/dashboard/enqueue"), ("8-cron", "/dashboard/cron"),
                 ("9-rejected", "/dashboard/rejected")]
        for name, path in pages[3:]:
            driver.get(args.url + path)
            screenshot(driver, args.screenshots, "desktop", name)
        resize(driver, "phone")
        for name, path in pages:
            driver.get(args.url + path)
            screenshot(driver, args.screenshots, "phone", name)
        driver.delete_all_cookies()
        driver.get(args.url + "/dashboard")
        wait.until(ready.presence_of_element_located((By.NAME, "password")))
        screenshot(driver, args.screenshots, "phone", "1-login")

        problems = console_problems(driver)
        check(not problems, f"the browser's console reported: {problems}")
        print("ok")
    except Exception:
        # Where it stood, for the person reading the failure.
        driver.save_screenshot(failure)
        print(f"at {driver.current_url}: {driver.find_element(By.TAG_NAME, 'body').text[:600]}")
        raise
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # One line for the Swift test to show.
        print(f"FAILED: {type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)
