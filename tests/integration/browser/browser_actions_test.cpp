// The actions a user performs, through BrowserEngine::load against real Chromium and pages served
// on loopback: clicks, hover, fill, type, press, select-option, scrolling, and following a
// navigation. The pages count an event only when it is trusted (isTrusted), that is when it came
// from real input and not from a script. Each test case launches one browser.
#include "browser/browser_engine.hpp"
#include "integration/browser/browser_test_support.hpp"
#include "integration/browser/page_server.hpp"
#include "support/run_test_coroutine.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

using asyncscrape::Action;
using asyncscrape::ActionStatus;
using asyncscrape::ActionType;
using asyncscrape::JobStatus;
using asyncscrape::OnError;
using asyncscrape::Request;
using asyncscrape::browser::BrowserEngine;
using asyncscrape::browser::BrowserEngineOptions;
using asyncscrape::browser::PageLoadResult;
using asyncscrape::test::browser_request;
using asyncscrape::test::load;
using asyncscrape::test::PageServer;
namespace asio = boost::asio;

namespace {

// A button below the fold reveals a paragraph; a menu reacts to the mouse coming over it; one
// element is hidden and one lies under another.
constexpr const char* click_page = R"(<!doctype html><html><body style="margin: 0">
<div style="height: 2000px">spacer</div>
<button id="reveal" onclick="if (event.isTrusted) secret.hidden = false">Show</button>
<p id="secret" hidden>revealed by a click</p>
<button onclick="this.textContent = event.isTrusted ? 'clicked by xpath' : 'scripted'">Other</button>
<div id="menu" style="height: 50px">menu</div>
<p id="ghost" style="visibility: hidden">ghost</p>
<div style="position: relative; height: 100px">
  <button id="under">under</button>
  <div style="position: absolute; inset: 0; background: white"></div>
</div>
<script>
menu.addEventListener('mouseover', event => {
  menu.textContent = event.isTrusted ? 'hovered' : 'scripted';
});
</script></body></html>)";

// Fields that echo what the page's input listeners saw, and one under its floating label.
constexpr const char* form_page = R"(<!doctype html><html><body>
<input id="name" value="old"><p id="name-echo"></p>
<input id="nickname" value="to be cleared"><p id="nickname-echo">unchanged</p>
<textarea id="bio"></textarea><p id="bio-echo"></p>
<div style="position: relative">
  <input id="email">
  <label for="email" style="position: absolute; inset: 0; background: white">Email</label>
</div>
<select id="size"><option value="s">Small</option><option value="l">Large</option></select>
<p id="size-echo"></p>
<script>
for (const id of ['name', 'nickname', 'bio']) {
  document.getElementById(id).addEventListener('input', event => {
    const echo = document.getElementById(id + '-echo');
    echo.textContent = (event.isTrusted ? '' : 'scripted: ') + event.target.value;
  });
}
let keys = 0;
bio.addEventListener('keydown', event => { if (event.isTrusted) ++keys; });
let sizeInput = false;
size.addEventListener('input', () => { sizeInput = true; });
size.addEventListener('change', event => {
  document.getElementById('size-echo').textContent =
    (sizeInput ? 'input and change: ' : 'change: ') + event.target.value;
});
</script></body></html>)";

// A GET form, a link, a link to a missing page, and a link to the page server by the name
// `localhost`, which the guard of the guarded engine refuses.
constexpr const char* navigation_page = R"(<!doctype html><html><body>
<form action="/done" method="get"><input id="q" name="q"></form>
<a id="next" href="/done?via=link">next</a>
<a id="broken" href="/missing">broken</a>
<a id="away">away</a>
<script>away.href = 'http://localhost:' + location.port + '/done';</script>
</body></html>)";

constexpr const char* done_page = "<!doctype html><html><body><h1>Done</h1></body></html>";

constexpr const char* tall_page = R"(<!doctype html><html><body style="margin: 0">
<div style="height: 5000px; width: 3000px">tall and wide</div></body></html>)";

// Ten items at first, ten more each time the user reaches the bottom, five times.
constexpr const char* infinite_page = R"(<!doctype html><html><body style="margin: 0">
<ul id="list" style="margin: 0"></ul><script>
let batches = 0, loading = false, wheels = 0;
const addBatch = () => {
  for (let i = 0; i < 10; ++i) {
    const item = document.createElement('li');
    item.style.height = '100px';
    item.textContent = 'item ' + list.children.length;
    list.appendChild(item);
  }
};
addBatch();
addEventListener('wheel', () => ++wheels);
addEventListener('scroll', () => {
  const nearBottom = scrollY + innerHeight >= document.documentElement.scrollHeight - 50;
  if (loading || batches === 5 || !nearBottom) return;
  loading = true;
  setTimeout(() => { addBatch(); ++batches; loading = false; }, 50);
});
</script></body></html>)";

std::map<std::string, std::string> action_pages() {
    return {{"/click", click_page}, {"/form", form_page}, {"/navigation", navigation_page},
            {"/done", done_page},   {"/tall", tall_page}, {"/infinite", infinite_page}};
}

// The pages are served on loopback, which the private-address guard refuses.
BrowserEngineOptions loopback_options() {
    BrowserEngineOptions options;
    options.allow_private_targets = true;
    return options;
}

Action selector_action(ActionType type, std::string selector) {
    Action action;
    action.type = type;
    action.selector = std::move(selector);
    return action;
}

Action click(std::string selector) {
    return selector_action(ActionType::click, std::move(selector));
}

Action hover(std::string selector) {
    return selector_action(ActionType::hover, std::move(selector));
}

Action fill(std::string selector, std::string value) {
    Action action = selector_action(ActionType::fill, std::move(selector));
    action.value = std::move(value);
    return action;
}

Action type_text(std::string selector, std::string text, std::int64_t delay_ms) {
    Action action = selector_action(ActionType::type, std::move(selector));
    action.text = std::move(text);
    action.delay_ms = delay_ms;
    return action;
}

Action select_option(std::string selector, std::string value) {
    Action action = selector_action(ActionType::select_option, std::move(selector));
    action.value = std::move(value);
    return action;
}

Action press(std::string key) {
    Action action;
    action.type = ActionType::press;
    action.key = std::move(key);
    return action;
}

Action scroll(std::optional<std::int64_t> x, std::optional<std::int64_t> y) {
    Action action;
    action.type = ActionType::scroll;
    action.x = x;
    action.y = y;
    return action;
}

Action scroll_to_bottom(std::int64_t max_scrolls, std::int64_t delay_ms) {
    Action action;
    action.type = ActionType::scroll_to_bottom;
    action.max_scrolls = max_scrolls;
    action.delay_ms = delay_ms;
    return action;
}

Action wait_for_navigation() {
    Action action;
    action.type = ActionType::wait_for_navigation;
    return action;
}

Action evaluate(std::string script) {
    Action action;
    action.type = ActionType::evaluate;
    action.script = std::move(script);
    return action;
}

// `action` with a short limit of its own, its failure recorded and the load going on.
Action skipped_after(Action action, std::int64_t timeout_ms) {
    action.on_error = OnError::skip;
    action.timeout_ms = timeout_ms;
    return action;
}

Request request_with(std::string url, std::vector<Action> actions) {
    Request request = browser_request(std::move(url));
    request.actions = std::move(actions);
    return request;
}

// A loopback port nobody listens on: connecting to it is refused at once.
std::uint16_t closed_port(asio::io_context& io) {
    asio::ip::tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
    return probe.local_endpoint().port();
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

void check_action_ok(const PageLoadResult& result, std::size_t index) {
    REQUIRE(result.actions.size() > index);
    INFO("action " << index + 1 << ": " << result.actions[index].error.value_or("no error"));
    CHECK(result.actions[index].status == ActionStatus::ok);
}

void check_action_failed(const PageLoadResult& result, std::size_t index,
                         const std::string& error) {
    REQUIRE(result.actions.size() > index);
    INFO("action " << index + 1 << ": " << result.actions[index].error.value_or("no error"));
    CHECK(result.actions[index].status == ActionStatus::failed);
    CHECK(result.actions[index].error == error);
}

asio::awaitable<void> clicks_and_hover(BrowserEngine& engine, const PageServer& pages) {
    const Request clicked_request = request_with(
        pages.url("/click"),
        {click("#reveal"), evaluate("scrollY > 1000"), click("//button[text()='Other']"),
         hover("#menu"), skipped_after(click("#ghost"), 300), skipped_after(hover("#under"), 300)});
    const PageLoadResult clicked = co_await load(engine, clicked_request);
    CHECK(clicked.status == JobStatus::success);
    for (std::size_t i = 0; i < 4; ++i) {
        check_action_ok(clicked, i);
    }
    CHECK(contains(clicked.html, "<p id=\"secret\">revealed by a click</p>"));
    // The button was below the fold: the click scrolled it into view first.
    CHECK(clicked.actions[1].value_json == "true");
    CHECK(contains(clicked.html, ">clicked by xpath</button>"));
    CHECK(contains(clicked.html, ">hovered</div>"));
    check_action_failed(clicked, 4, "timed out after 300 ms: '#ghost' is not visible");
    check_action_failed(clicked, 5,
                        "timed out after 300 ms: '#under' is covered by another element");
    co_await engine.shutdown();
}

asio::awaitable<void> keyboard_input(BrowserEngine& engine, const PageServer& pages) {
    const Request typed_request = request_with(
        pages.url("/form"),
        {fill("#name", "Ada Lovelace"), fill("#nickname", ""),
         type_text("#bio", "Hi, \xc3\xa9!", 5),
         evaluate("[bio.value, document.getElementById('bio-echo').textContent, keys]"),
         press("Control+A"), press("Backspace"), evaluate("bio.value"),
         skipped_after(press("Foo"), 300), skipped_after(fill("#name-echo", "x"), 300),
         fill("#email", "ada@example.com"), evaluate("email.value")});
    const PageLoadResult typed = co_await load(engine, typed_request);
    CHECK(typed.status == JobStatus::success);
    for (std::size_t i = 0; i < 7; ++i) {
        check_action_ok(typed, i);
    }
    // The fields' old content was replaced, and the page saw trusted input events.
    CHECK(contains(typed.html, "<p id=\"name-echo\">Ada Lovelace</p>"));
    CHECK(contains(typed.html, "<p id=\"nickname-echo\"></p>"));
    // The listener saw the typed text, and one key per character but the 'é', which no key of
    // the layout types.
    CHECK(typed.actions[3].value_json == "[\"Hi, \xc3\xa9!\",\"Hi, \xc3\xa9!\",5]");
    // Control+A selected the text, Backspace deleted it.
    CHECK(typed.actions[6].value_json == "\"\"");
    CHECK(contains(typed.html, "<p id=\"bio-echo\"></p>"));
    check_action_failed(typed, 7, "unknown key 'Foo'");
    check_action_failed(typed, 8, "'#name-echo' is not a text field or an editable element");
    // A click on the label over the field reaches the field.
    check_action_ok(typed, 9);
    CHECK(typed.actions[10].value_json == "\"ada@example.com\"");
    co_await engine.shutdown();
}

asio::awaitable<void> options_selected(BrowserEngine& engine, const PageServer& pages) {
    const Request selected_request =
        request_with(pages.url("/form"), {select_option("#size", "l"), evaluate("size.value"),
                                          select_option("#size", "Small"),
                                          skipped_after(select_option("#size", "xl"), 300),
                                          skipped_after(select_option("#name", "l"), 300)});
    const PageLoadResult selected = co_await load(engine, selected_request);
    CHECK(selected.status == JobStatus::success);
    for (std::size_t i = 0; i < 3; ++i) {
        check_action_ok(selected, i);
    }
    CHECK(selected.actions[1].value_json == "\"l\"");
    // By its label the second time.
    CHECK(contains(selected.html, "<p id=\"size-echo\">input and change: s</p>"));
    check_action_failed(selected, 3,
                        "timed out after 300 ms: no option of '#size' has the value or label 'xl'");
    check_action_failed(selected, 4, "'#name' is not a <select>");
    co_await engine.shutdown();
}

asio::awaitable<void> navigations_followed(BrowserEngine& engine, const PageServer& pages,
                                           std::string refused_url) {
    const Request submitted_request =
        request_with(pages.url("/navigation"),
                     {type_text("#q", "cats", 0), press("Enter"), wait_for_navigation()});
    const PageLoadResult submitted = co_await load(engine, submitted_request);
    CHECK(submitted.status == JobStatus::success);
    for (std::size_t i = 0; i < 3; ++i) {
        check_action_ok(submitted, i);
    }
    CHECK(submitted.final_url == pages.url("/done?q=cats"));
    CHECK(submitted.status_code == 200);
    CHECK(contains(submitted.html, "<h1>Done</h1>"));

    const Request followed_request =
        request_with(pages.url("/navigation"), {click("#next"), wait_for_navigation()});
    const PageLoadResult followed = co_await load(engine, followed_request);
    CHECK(followed.status == JobStatus::success);
    check_action_ok(followed, 1);
    CHECK(followed.final_url == pages.url("/done?via=link"));
    CHECK(contains(followed.html, "<h1>Done</h1>"));

    // The new document's status is the result's.
    const Request broken_request =
        request_with(pages.url("/navigation"), {click("#broken"), wait_for_navigation()});
    const PageLoadResult broken = co_await load(engine, broken_request);
    check_action_ok(broken, 1);
    CHECK(broken.status == JobStatus::failed);
    CHECK(broken.error == "HTTP status 404");
    CHECK(broken.status_code == 404);
    CHECK(broken.final_url == pages.url("/missing"));

    const Request stayed_request =
        request_with(pages.url("/navigation"), {skipped_after(wait_for_navigation(), 300)});
    const PageLoadResult stayed = co_await load(engine, stayed_request);
    CHECK(stayed.status == JobStatus::success);
    check_action_failed(stayed, 0, "timed out after 300 ms: the page did not navigate");
    CHECK(stayed.final_url == pages.url("/navigation"));

    // Chromium shows (and loads) an error page; the navigation's own failure is the action's.
    const Request unreachable_request =
        request_with(pages.url("/navigation"),
                     {evaluate("location.href = '" + refused_url + "'"), wait_for_navigation()});
    const PageLoadResult unreachable = co_await load(engine, unreachable_request);
    CHECK(unreachable.status == JobStatus::failed);
    CHECK(unreachable.error ==
          "action 2 (wait-for-navigation) failed: net::ERR_CONNECTION_REFUSED");
    CHECK_FALSE(unreachable.status_code);
    co_await engine.shutdown();
}

asio::awaitable<void> refused_navigation(BrowserEngine& engine, const PageServer& pages) {
    const Request refused_request = request_with(
        pages.url("/navigation"), {click("#away"), wait_for_navigation(), evaluate("1")});
    const PageLoadResult refused = co_await load(engine, refused_request);
    CHECK(refused.status == JobStatus::failed);
    CHECK(refused.error == "blocked: private address");
    check_action_ok(refused, 0);
    check_action_failed(refused, 1, "blocked: private address");
    REQUIRE(refused.actions.size() == 3);
    CHECK(refused.actions[2].status == ActionStatus::skipped);
    co_await engine.shutdown();
}

asio::awaitable<void> wheel_scrolling(BrowserEngine& engine, const PageServer& pages) {
    const Request scrolled_request =
        request_with(pages.url("/tall"), {scroll(std::nullopt, 500), evaluate("[scrollX, scrollY]"),
                                          scroll(std::nullopt, std::nullopt), evaluate("scrollY"),
                                          scroll(200, -300), evaluate("[scrollX, scrollY]")});
    const PageLoadResult scrolled = co_await load(engine, scrolled_request);
    CHECK(scrolled.status == JobStatus::success);
    for (std::size_t i = 0; i < 6; ++i) {
        check_action_ok(scrolled, i);
    }
    CHECK(scrolled.actions[1].value_json == "[0,500]");
    // One viewport height (800) by default.
    CHECK(scrolled.actions[3].value_json == "1300");
    CHECK(scrolled.actions[5].value_json == "[200,1000]");

    const Request all_request =
        request_with(pages.url("/infinite"),
                     {scroll_to_bottom(20, 150), evaluate("[list.children.length, wheels]")});
    const PageLoadResult all = co_await load(engine, all_request);
    CHECK(all.status == JobStatus::success);
    check_action_ok(all, 0);
    // Five batches after the first, and one scroll more that found the page grown no longer.
    CHECK(all.actions[1].value_json == "[60,6]");

    const Request capped_request = request_with(
        pages.url("/infinite"), {scroll_to_bottom(2, 150), evaluate("list.children.length")});
    const PageLoadResult capped = co_await load(engine, capped_request);
    CHECK(capped.status == JobStatus::success);
    check_action_ok(capped, 0);
    CHECK(capped.actions[1].value_json == "30");
    co_await engine.shutdown();
}

asio::awaitable<void> failures_and_limits(BrowserEngine& engine, const PageServer& pages) {
    Action missing = click("#missing");
    missing.timeout_ms = 300;
    const std::string missing_error = "timed out after 300 ms: no element matches '#missing'";

    const Request failed_request = request_with(pages.url("/click"), {missing, click("#reveal")});
    const PageLoadResult failed = co_await load(engine, failed_request);
    CHECK(failed.status == JobStatus::failed);
    CHECK(failed.error == "action 1 (click) failed: " + missing_error);
    check_action_failed(failed, 0, missing_error);
    REQUIRE(failed.actions.size() == 2);
    CHECK(failed.actions[1].status == ActionStatus::skipped);
    CHECK(failed.actions[1].error == "not run: " + *failed.error);
    CHECK_FALSE(contains(failed.html, "<p id=\"secret\">"));

    missing.on_error = OnError::skip;
    const Request skipped_request = request_with(pages.url("/click"), {missing, click("#reveal")});
    const PageLoadResult skipped = co_await load(engine, skipped_request);
    CHECK(skipped.status == JobStatus::success);
    check_action_failed(skipped, 0, missing_error);
    CHECK(skipped.actions[0].duration_ms >= 300);
    check_action_ok(skipped, 1);
    CHECK(contains(skipped.html, "<p id=\"secret\">revealed by a click</p>"));

    // An action's own limit (10 s by default) never outlasts the request's deadline.
    Request short_request = request_with(pages.url("/click"), {click("#missing")});
    short_request.timeout_ms = 2000;
    const PageLoadResult out_of_time = co_await load(engine, short_request);
    CHECK(out_of_time.status == JobStatus::timeout);
    REQUIRE(out_of_time.error);
    CHECK(out_of_time.error->rfind(
              "timeout: the deadline of 2000 ms passed while running action 1 (click)", 0) == 0);
    co_await engine.shutdown();
}

}  // namespace

TEST_CASE("click and hover act through the mouse on elements in view", "[browser][actions]") {
    asio::io_context io;
    PageServer pages(io, action_pages());
    BrowserEngine engine(io.get_executor(), loopback_options());
    asyncscrape::test::run_test_coroutine(io, clicks_and_hover(engine, pages));
}

TEST_CASE("fill, type and press act through the keyboard", "[browser][actions]") {
    asio::io_context io;
    PageServer pages(io, action_pages());
    BrowserEngine engine(io.get_executor(), loopback_options());
    asyncscrape::test::run_test_coroutine(io, keyboard_input(engine, pages));
}

TEST_CASE("select-option picks by value or label and fires input and change",
          "[browser][actions]") {
    asio::io_context io;
    PageServer pages(io, action_pages());
    BrowserEngine engine(io.get_executor(), loopback_options());
    asyncscrape::test::run_test_coroutine(io, options_selected(engine, pages));
}

TEST_CASE("wait-for-navigation follows a submitted form or a clicked link to the new document",
          "[browser][actions]") {
    asio::io_context io;
    PageServer pages(io, action_pages());
    BrowserEngine engine(io.get_executor(), loopback_options());
    const std::string refused_url = "http://127.0.0.1:" + std::to_string(closed_port(io)) + "/";
    asyncscrape::test::run_test_coroutine(io, navigations_followed(engine, pages, refused_url));
}

TEST_CASE("a navigation the guard refuses fails the load as a refused first navigation does",
          "[browser][actions]") {
    asio::io_context io;
    PageServer pages(io, action_pages());
    // The guard on, admitting the page server's 127.0.0.1 but not `localhost`'s ::1.
    BrowserEngineOptions options;
    options.admitted_addresses.push_back(asio::ip::make_address("127.0.0.1"));
    BrowserEngine engine(io.get_executor(), options);
    asyncscrape::test::run_test_coroutine(io, refused_navigation(engine, pages));
}

TEST_CASE("scroll and scroll-to-bottom turn the mouse wheel", "[browser][actions]") {
    asio::io_context io;
    PageServer pages(io, action_pages());
    BrowserEngine engine(io.get_executor(), loopback_options());
    asyncscrape::test::run_test_coroutine(io, wheel_scrolling(engine, pages));
}

TEST_CASE("a failed action fails the load or is skipped, within the request's deadline",
          "[browser][actions]") {
    asio::io_context io;
    PageServer pages(io, action_pages());
    BrowserEngine engine(io.get_executor(), loopback_options());
    asyncscrape::test::run_test_coroutine(io, failures_and_limits(engine, pages));
}
