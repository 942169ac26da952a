#include "browser/dialog_answerer.hpp"

#include "server/log_failure.hpp"
#include "util/log.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/json/object.hpp>

#include <exception>
#include <utility>

namespace asyncscrape::browser {

namespace asio = boost::asio;
namespace json = boost::json;

struct DialogAnswerer::State {
    State(CdpClient& cdp, std::string session_id, SteadyTime deadline)
        : cdp(&cdp), session_id(std::move(session_id)), deadline(deadline) {}

    CdpClient* cdp;  // none once the answerer is gone
    std::string session_id;
    SteadyTime deadline;
    asio::cancellation_signal stop;
    bool answering = true;
};

namespace {

using AnswererState = std::shared_ptr<DialogAnswerer::State>;

asio::awaitable<void> answer_dialogs(AnswererState state, CdpSubscription dialogs) {
    co_await asio::this_coro::throw_if_cancelled(false);
    while (true) {
        const CdpOutcome<CdpEvent> dialog = co_await dialogs.next(state->deadline);
        if (!dialog.ok() || !state->cdp) {
            co_return;  // stopped, out of time, or the tab or the browser is gone
        }
        json::object answer;
        answer["accept"] = true;
        answer["promptText"] = "";
        const CdpOutcome<json::object> answered = co_await state->cdp->call(
            "Page.handleJavaScriptDialog", std::move(answer), state->session_id, state->deadline);
        if (!answered.ok()) {
            log(LogLevel::debug, "a JavaScript dialog was not answered: ", answered.message);
        }
    }
}

struct StoppedAnswering {
    AnswererState state;

    void operator()(const std::exception_ptr& failure) const {
        server::LogFailure{"answering JavaScript dialogs"}(failure);
        state->answering = false;
    }
};

}  // namespace

DialogAnswerer::DialogAnswerer(asio::any_io_executor executor, CdpClient& cdp,
                               std::string session_id, SteadyTime deadline)
    : state_(std::make_shared<State>(cdp, std::move(session_id), deadline)) {
    CdpSubscription dialogs = cdp.subscribe(state_->session_id, {"Page.javascriptDialogOpening"});
    asio::co_spawn(executor, answer_dialogs(state_, std::move(dialogs)),
                   asio::bind_cancellation_slot(state_->stop.slot(), StoppedAnswering{state_}));
}

DialogAnswerer::~DialogAnswerer() {
    state_->cdp = nullptr;
    if (state_->answering) {
        state_->stop.emit(asio::cancellation_type::terminal);
    }
}

}  // namespace asyncscrape::browser
