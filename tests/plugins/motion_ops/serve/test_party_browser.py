"""The party pages in a real browser (headless Chromium, the fixtures of ``test_browser.py``): a
party's page, the agreement matrix and where two parties disagreed, the party match end to end."""
import pytest

from tests.plugins.motion_ops.serve.test_browser import CHROMIUM, DRIVER, browser, served  # noqa: F401 - fixtures

pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="headless Chromium or chromedriver is not installed")


def test_a_reader_goes_from_the_landing_page_to_a_partys_page_and_its_submitted_motions(served, browser):  # noqa: F811
    from selenium.webdriver.common.by import By

    browser.get(served + "/")
    browser.find_element(By.ID, "partijen-link").click()
    assert browser.find_element(By.TAG_NAME, "h1").text == "Partijen"
    links = {a.text: a for a in browser.find_elements(By.CSS_SELECTOR, "#partijen a.partij")}
    assert len(links) >= 10 and "VVD" in links
    links["VVD"].click()
    assert browser.find_element(By.ID, "partij").text == "VVD"
    assert "Aan de winnende kant:" in browser.find_element(By.ID, "winnende-kant").text
    assert browser.find_elements(By.CSS_SELECTOR, "#stemmen-grafiek rect.voor")
    months = browser.find_elements(By.CSS_SELECTOR, "#tijdlijn tbody tr")
    voted = sum(int(tr.find_elements(By.TAG_NAME, "td")[1].text) + int(tr.find_elements(By.TAG_NAME, "td")[2].text)
                + int(tr.find_elements(By.TAG_NAME, "td")[3].text) for tr in months)
    assert voted == int(browser.find_element(By.ID, "aantal-stemmingen").text)
    submitted = browser.find_elements(By.CSS_SELECTOR, "#ingediend a")
    assert submitted
    submitted[0].click()
    assert "(VVD)" in browser.find_element(By.TAG_NAME, "main").text  # a submitter of VVD


def test_a_reader_reads_the_agreement_matrix_narrows_it_and_opens_where_two_parties_disagreed(served, browser):  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(served + "/partijen/overeenstemming")
    cells = browser.find_elements(By.CSS_SELECTOR, "#overeenstemming td.cel")
    heads = browser.find_elements(By.CSS_SELECTOR, "#overeenstemming thead th a")
    assert len(cells) == len(heads) ** 2 and len(heads) >= 10
    diagonal = [c for c in cells if c.get_attribute("data-a") == c.get_attribute("data-b")]
    assert all(c.text.startswith("1,00") for c in diagonal)
    total = browser.find_element(By.ID, "selectie").text
    box = browser.find_element(By.ID, "q")
    box.send_keys("stikstof")
    box.submit()
    WebDriverWait(browser, 20).until(lambda d: "q=stikstof" in d.current_url and d.find_elements(By.ID, "selectie"))
    assert "q=stikstof" in browser.current_url and 'met de woorden "stikstof"' in browser.find_element(By.ID, "selectie").text
    assert browser.find_element(By.ID, "selectie").text != total
    links = browser.find_elements(By.CSS_SELECTOR, "#overeenstemming td.cel a")
    assert links
    cell = links[0].find_element(By.XPATH, "..")
    a, b = cell.get_attribute("data-a"), cell.get_attribute("data-b")
    links[0].click()
    WebDriverWait(browser, 20).until(lambda d: d.find_elements(By.ID, "verschillen"))
    assert browser.find_element(By.TAG_NAME, "h1").text == f"Waar {a} en {b} verschilden"
    assert "q=stikstof" in browser.current_url
    items = browser.find_elements(By.CSS_SELECTOR, "#verschillen li")
    assert items and all({f"{a}: voor, {b}: tegen" in li.text, f"{a}: tegen, {b}: voor" in li.text} == {True, False}
                         for li in items)


def test_a_reader_answers_the_party_match_sees_the_ranking_and_the_shared_url_shows_the_same(served, browser, tmp_path):  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(served + "/")
    browser.find_element(By.ID, "partijmatch-link").click()
    questions = WebDriverWait(browser, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, "li.vraag"))
    assert 10 <= len(questions) <= 20
    for i, li in enumerate(questions):
        choice = ("v", "t", "v", "o")[i % 4]
        li.find_element(By.CSS_SELECTOR, f"input[value='{choice}']").click()
    browser.find_element(By.ID, "toon-uitslag").click()
    # the form's GET and its redirect to the result are a navigation the click does not wait for
    WebDriverWait(browser, 20).until(lambda d: "/partijmatch?m=" in d.current_url and d.find_elements(By.ID, "ranglijst"))
    rows = browser.find_elements(By.CSS_SELECTOR, "#ranglijst tr.partij")
    assert len(rows) >= 10 and all("stemmingen" in r.find_element(By.CSS_SELECTOR, "td.rust").text for r in rows)
    ranking = [(r.find_element(By.CSS_SELECTOR, "td.naam").text, r.find_element(By.CSS_SELECTOR, "td.waarde").text)
               for r in rows]
    values = [float(v.replace(",", ".")) for _, v in ranking if v != "-"]
    assert values == sorted(values, reverse=True) and values[0] > values[-1]
    browser.save_screenshot(str(tmp_path / "match.png"))
    share = browser.find_element(By.ID, "deel-link").get_attribute("href")
    browser.delete_all_cookies()
    browser.get(share)
    again = [(r.find_element(By.CSS_SELECTOR, "td.naam").text, r.find_element(By.CSS_SELECTOR, "td.waarde").text)
             for r in browser.find_elements(By.CSS_SELECTOR, "#ranglijst tr.partij")]
    assert again == ranking
    # the answers are shown again, as given: the reader may change one and see the new ranking
    checked = [li.find_element(By.CSS_SELECTOR, "input:checked").get_attribute("value")
               for li in browser.find_elements(By.CSS_SELECTOR, "li.vraag")]
    assert checked == [("v", "t", "v", "o")[i % 4] for i in range(len(questions))]
