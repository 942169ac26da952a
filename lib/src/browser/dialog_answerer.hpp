// Answers a page's JavaScript dialogs (alert, confirm, prompt, beforeunload) as they open. With
// the Page domain on, a dialog stalls its page, and every later command of the tab with it, until
// it is answered. Every dialog is accepted, a prompt with an empty answer: a scraper wants the
// page to go on as a user clicking OK would make it, a script past its alert, a confirmed step
// taken, and a navigation an action started (a link clicked) not held back by beforeunload.
#pragma once

#include "browser/cdp_client.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <memory>
#include <string>

namespace asyncscrape::browser {

class DialogAnswerer {
  public:
    // Answers every dialog of the flat session `session_id`, in a coroutine of its own on
    // `executor`, until destroyed or `deadline`. Construct it before Page.enable, which starts
    // the dialog events.
    DialogAnswerer(boost::asio::any_io_executor executor, CdpClient& cdp, std::string session_id,
                   SteadyTime deadline);
    // Stops answering at once; its coroutine touches the client no more.
    ~DialogAnswerer();
    DialogAnswerer(const DialogAnswerer&) = delete;
    DialogAnswerer& operator=(const DialogAnswerer&) = delete;

    struct State;

  private:
    std::shared_ptr<State> state_;
};

}  // namespace asyncscrape::browser
