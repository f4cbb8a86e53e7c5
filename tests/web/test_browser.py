"""The issue's journeys in a real browser against a real ``augury serve``.

Each step waits on a condition the page must reach (Playwright's auto-waiting ``expect``),
never on a fixed sleep. Live updates are checked on a page that is never reloaded: a
marker set in its ``window`` before the other person acts must still be there after.
How long the live updates took is printed (``-s``), not asserted (no timings in tests).
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from tests.web.site import Site

T1 = "KXTEST-26DEC-T1"
T2 = "KXTEST-26DEC-T2"
T3 = "KXTEST-26DEC-T3"
EVENT = "/event/test-event"
WAIT_MS = 30_000  # a ceiling for loaded CI machines, not a latency assertion

pytestmark = pytest.mark.process

expect.set_options(timeout=WAIT_MS)


def _ticket(
    page: Page, *, side: str, action: str, kind: str, quantity: str, limit: str = ""
) -> None:
    page.locator(f"label[for=t-{side.lower()}]").click()
    page.locator(f"label[for=t-{action.lower()}]").click()
    page.get_by_label("Order type").select_option(kind)
    page.get_by_label("Contracts", exact=True).fill(quantity)
    if limit:
        page.get_by_label("Limit price (¢, 1–99)").fill(limit)


def _deposit_from_console(site: Site, operator: Page, email: str, dollars: str) -> None:
    operator.goto(f"/operator/users?q={email}")
    row = operator.locator("#users tbody tr").filter(has_text=email)
    row.get_by_label(re.compile("Amount in dollars")).fill(dollars)
    row.get_by_role("button", name="Deposit").click()
    expect(operator.locator("#notice")).to_contain_text("Deposit for")


def _funded(site: Site, operator: Page, email: str, name: str, dollars: str = "500") -> Page:
    page, _problems = site.page()
    site.sign_up(page, email, name)
    _deposit_from_console(site, operator, email, dollars)
    return page


def _operator(site: Site, email: str) -> Page:
    page, _problems = site.page()
    site.sign_up(page, email, "Olive")
    site.make_operator(email)
    return page


def test_limit_order_from_the_ticket_then_portfolio_and_cancel(fresh: Site) -> None:
    operator = _operator(fresh, "op1@example.com")
    alice, problems = fresh.page()
    fresh.sign_up(alice, "alice1@example.com", "Alice")
    _deposit_from_console(fresh, operator, "alice1@example.com", "250")
    alice.goto("/portfolio")
    expect(alice.locator("#sum-cash")).to_have_text("$250.00")
    alice.goto(f"{EVENT}?m={T1}")
    _ticket(alice, side="YES", action="BUY", kind="limit", quantity="10", limit="40")
    # The figures come from the server's quote: 10 x 40¢ = $4.00, paying $10 if YES.
    expect(alice.locator("#q-cost")).to_have_text("$4.0000")
    expect(alice.locator("#q-payout")).to_have_text("$10.0000")
    expect(alice.locator("#q-after")).to_have_text("10 YES")
    alice.get_by_role("button", name="Place order").click()
    expect(alice.locator("#ticket-result")).to_contain_text("Limit order placed: buy 10 YES at 40¢")
    expect(alice.locator("#mine .order-item")).to_have_count(1)
    alice.goto("/portfolio")
    row = alice.locator("#open-orders tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Buy YES")
    expect(row).to_contain_text("40¢")
    row.get_by_role("button", name="Cancel").click()
    expect(alice.locator("#no-open-orders")).to_be_visible()
    assert problems.items == []


def test_a_cross_updates_the_other_persons_page_live(fresh: Site) -> None:
    operator = _operator(fresh, "op2@example.com")
    alice = _funded(fresh, operator, "alice2@example.com", "Alice")
    bob = _funded(fresh, operator, "bob2@example.com", "Bob")
    alice.goto(f"{EVENT}?m={T2}")
    _ticket(alice, side="YES", action="BUY", kind="limit", quantity="10", limit="40")
    alice.get_by_role("button", name="Place order").click()
    expect(alice.locator("#mine .order-item")).to_have_count(1)
    expect(alice.locator("#book .bid").first).to_contain_text("40¢")
    alice.evaluate("window.__notReloaded = true")
    expect(alice.locator("#badge")).to_have_text("1")  # the deposit
    bob.goto(f"{EVENT}?m={T2}")
    _ticket(bob, side="NO", action="BUY", kind="market", quantity="4")
    expect(bob.locator("#q-avg")).to_have_text("60¢")  # NO at 100 - 40
    started = time.monotonic()
    bob.get_by_role("button", name="Place order").click()
    expect(bob.locator("#ticket-result")).to_contain_text("Bought 4 NO at 60¢")
    # Alice's page, never reloaded: book, tape, chart, position, orders and the badge.
    expect(alice.locator("#book .bid").first).to_contain_text("6")
    expect(alice.locator("#tape tbody tr").first).to_contain_text("40¢")
    expect(alice.locator("#chart")).to_have_attribute("data-last-close", "4000")
    expect(alice.locator("#mine .position")).to_contain_text("4")
    expect(alice.locator("#mine .order-item")).to_contain_text("6 @ 40¢")
    expect(alice.locator("#badge")).to_have_text("2")  # and now the fill
    print(f"\nlive update on the other page after {time.monotonic() - started:.2f}s")
    assert alice.evaluate("window.__notReloaded") is True
    alice.locator(".bell").click()
    expect(alice.locator("#notifications li").first).to_contain_text("Filled: buy 4 YES at 40¢")


def test_take_profit_fires_when_another_account_moves_the_price(fresh: Site) -> None:
    operator = _operator(fresh, "op3@example.com")
    alice = _funded(fresh, operator, "alice3@example.com", "Alice")
    maker = _funded(fresh, operator, "maker3@example.com", "Mia")
    mover = _funded(fresh, operator, "mover3@example.com", "Max")
    # Mia offers 5 YES at 40 (buys NO at 60); Alice buys them from the ticket.
    maker.goto(f"{EVENT}?m={T3}")
    _ticket(maker, side="NO", action="BUY", kind="limit", quantity="5", limit="60")
    maker.get_by_role("button", name="Place order").click()
    expect(maker.locator("#ticket-result")).to_contain_text("Limit order placed")
    alice.goto(f"{EVENT}?m={T3}")
    _ticket(alice, side="YES", action="BUY", kind="market", quantity="5")
    alice.get_by_role("button", name="Place order").click()
    expect(alice.locator("#ticket-result")).to_contain_text("Bought 5 YES at 40¢")
    # Alice protects her position: take profit at 60¢.
    alice.goto("/portfolio")
    row = alice.locator(f"#positions tr[data-position='{T3}']")
    row.locator("summary").click()
    row.get_by_label("Take-profit ¢").fill("60")
    row.get_by_role("button", name="Save").click()
    expect(alice.locator("#positions")).to_contain_text("Take 60¢")
    expect(alice.locator("#badge")).to_have_text("2")  # the deposit and the fill
    # Max bids 70 for 10 YES and Mia sells him one: the last trade is now 70¢.
    mover.goto(f"{EVENT}?m={T3}")
    _ticket(mover, side="YES", action="BUY", kind="limit", quantity="10", limit="70")
    mover.get_by_role("button", name="Place order").click()
    expect(mover.locator("#ticket-result")).to_contain_text("Limit order placed")
    _ticket(maker, side="NO", action="BUY", kind="market", quantity="1")
    maker.get_by_role("button", name="Place order").click()
    expect(maker.locator("#ticket-result")).to_contain_text("Bought 1 NO at 30¢")
    # The protection sells Alice's 5 YES; its notification arrives on her open page.
    expect(alice.locator("#badge")).to_have_text(re.compile(r"^([3-9]|\d\d)$"))
    alice.locator(".bell").click()
    expect(alice.locator("#notifications li[data-kind='protection']")).to_contain_text(
        "take-profit fired"
    )
    alice.goto("/portfolio")
    expect(alice.locator(f"#positions tr[data-position='{T3}']")).to_have_count(0)


def test_browser_made_ed25519_key_trades_through_the_official_sdk(fresh: Site) -> None:
    operator = _operator(fresh, "op4@example.com")
    alice = _funded(fresh, operator, "alice4@example.com", "Alice")
    alice.goto("/account")
    alice.get_by_label("Key name").fill("laptop")
    alice.get_by_role("button", name="Generate key in this browser").click()
    expect(alice.locator("#new-key-id")).to_have_text(re.compile(r"^[0-9a-f-]{36}$"))
    key_id = alice.locator("#new-key-id").inner_text()
    private_pem = alice.locator("#private-key").input_value()
    assert private_pem.startswith("-----BEGIN PRIVATE KEY-----")
    expect(alice.locator(f"#api-keys tr[data-key='{key_id}']")).to_contain_text("laptop")
    expect(alice.locator("#sdk-snippet")).to_contain_text(key_id)
    client = fresh.server.sdk(key_id, private_pem)
    placed = client.create_order_v2(
        ticker=T1,
        side="bid",
        count="3",
        price="0.2200",
        time_in_force="good_till_canceled",
        self_trade_prevention_type="taker_at_cross",
    )
    alice.goto("/portfolio")
    row = alice.locator(f"#open-orders tr[data-order='{placed.order_id}']")
    expect(row).to_contain_text("22¢")
    expect(row).to_contain_text("3")


def test_operator_creates_opens_and_settles_and_holders_are_paid(fresh: Site) -> None:
    operator = _operator(fresh, "op5@example.com")
    operator.goto("/operator/catalogue")
    form = operator.locator("#event-form")
    form.get_by_label("Series").fill("KXTEST")
    form.get_by_label("Event ticker").fill("KXTEST-WEB5")
    form.get_by_label("Title", exact=True).fill("Will it snow on New Year's Day?")
    form.get_by_label("Market 1 ticker suffix").fill("LON")
    form.get_by_label("Market 1 label").fill("London")
    form.get_by_label("Market 2 ticker suffix").fill("NYC")
    form.get_by_label("Market 2 label").fill("New York")
    form.get_by_label("Rules (for every market").fill(
        "Resolves YES if the Met service reports snow."
    )
    form.get_by_label("Feature on the markets page").check()
    form.get_by_role("button", name="Create event").click()
    expect(operator.locator("#notice")).to_contain_text("Event created with 2 markets")
    # Open: both markets are active and the event is on the markets page, featured.
    expect(operator.locator("tr[data-market='KXTEST-WEB5-LON']")).to_contain_text("active")
    expect(operator.locator("tr[data-market='KXTEST-WEB5-NYC']")).to_contain_text("active")
    holder = _funded(fresh, operator, "holder5@example.com", "Hana")
    seller = _funded(fresh, operator, "seller5@example.com", "Sam")
    holder.goto("/")
    holder.get_by_role("link", name="Will it snow on New Year's Day?").first.click()
    holder.get_by_role("link", name="Trade").first.click()  # the other option, then back
    holder.goto("/event/will-it-snow-on-new-year-s-day?m=KXTEST-WEB5-LON")
    _ticket(holder, side="YES", action="BUY", kind="limit", quantity="10", limit="30")
    holder.get_by_role("button", name="Place order").click()
    expect(holder.locator("#ticket-result")).to_contain_text("Limit order placed")
    seller.goto("/event/will-it-snow-on-new-year-s-day?m=KXTEST-WEB5-LON")
    _ticket(seller, side="NO", action="BUY", kind="market", quantity="10")
    seller.get_by_role("button", name="Place order").click()
    expect(seller.locator("#ticket-result")).to_contain_text("Bought 10 NO at 70¢")
    operator.goto("/operator/markets?q=KXTEST-WEB5")
    row = operator.locator("tr[data-market='KXTEST-WEB5-LON']")
    row.get_by_label("Result for KXTEST-WEB5-LON").select_option("yes")
    row.get_by_role("button", name="Settle KXTEST-WEB5-LON").click()
    # The confirmation shows who is paid what: 10 YES x $1 to Hana.
    expect(operator.locator("#payout-total")).to_have_text("$10.0000")
    expect(operator.locator("#payouts tbody")).to_contain_text("10 YES")
    operator.get_by_role("button", name="Settle YES now").click()
    expect(operator.locator("#notice")).to_contain_text("KXTEST-WEB5-LON settled yes")
    holder.goto("/portfolio")
    expect(holder.locator("#settlements")).to_contain_text("YES")
    expect(holder.locator("#settlements")).to_contain_text("$10.0000")
    seller.goto("/portfolio")
    expect(seller.locator("#settlements")).to_contain_text("$0.0000")
