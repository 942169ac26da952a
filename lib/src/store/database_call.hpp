// Asks a database thread for an answer from a coroutine: the work is queued to the worker, and
// the awaiting coroutine resumes on its own executor once the worker has done it (for a writer:
// committed it). An exception thrown by the work reaches the coroutine instead of the thread.
//
// `co_await asio::post(worker_executor, use_awaitable)` would not do: an awaitable coroutine
// always resumes on its own executor, so the work would run on the io_context after all. Here
// the work is handed over as data and only the completion handler comes back.
#pragma once

#include "store/sqlite_worker.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

namespace asyncscrape {

namespace detail {

template <class Work>
using WorkAnswer = std::invoke_result_t<Work&, SqliteConnection&>;

// The completion signature: an exception_ptr first, so that use_awaitable rethrows it.
template <class Answer>
struct AnswerSignatureOf {
    using type = void(std::exception_ptr, Answer);
};
template <>
struct AnswerSignatureOf<void> {
    using type = void(std::exception_ptr);
};
template <class Work>
using AnswerSignature = typename AnswerSignatureOf<WorkAnswer<Work>>::type;

template <class Work, class Handler>
class AnswerTask final : public DatabaseTask {
  public:
    AnswerTask(Work work, Handler handler, const boost::asio::any_io_executor& io)
        : work_(std::move(work)),
          handler_(std::move(handler)),
          // Counts as work of the io_context while the database has it, so that run() does not
          // return under a coroutine that waits for the answer.
          resume_on_(boost::asio::prefer(boost::asio::get_associated_executor(handler_, io),
                                         boost::asio::execution::outstanding_work.tracked)) {}

    void run(SqliteConnection& db) override {
        if constexpr (std::is_void_v<Answer>) {
            work_(db);
        } else {
            answer_ = work_(db);
        }
    }

    void complete(std::exception_ptr failure) noexcept override {
        if constexpr (std::is_void_v<Answer>) {
            boost::asio::post(resume_on_, boost::asio::append(std::move(handler_), failure));
        } else {
            boost::asio::post(resume_on_,
                              boost::asio::append(std::move(handler_), failure,
                                                  answer_ ? std::move(*answer_) : Answer{}));
        }
    }

  private:
    using Answer = WorkAnswer<Work>;
    using StoredAnswer = std::conditional_t<std::is_void_v<Answer>, bool, std::optional<Answer>>;

    Work work_;
    Handler handler_;
    boost::asio::any_io_executor resume_on_;
    StoredAnswer answer_{};
};

struct SubmitToWorker {
    SqliteWorker* worker;
    boost::asio::any_io_executor io;

    template <class Handler, class Work>
    void operator()(Handler&& handler, Work&& work) const {
        worker->submit(std::make_unique<AnswerTask<std::decay_t<Work>, std::decay_t<Handler>>>(
            std::forward<Work>(work), std::forward<Handler>(handler), io));
    }
};

}  // namespace detail

// `work(SqliteConnection&)` runs on the worker's thread; the awaitable yields what it returns.
template <class Work>
boost::asio::awaitable<detail::WorkAnswer<Work>> ask_database(SqliteWorker& worker,
                                                              boost::asio::any_io_executor io,
                                                              Work work) {
    return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>,
                                       detail::AnswerSignature<Work>>(
        detail::SubmitToWorker{&worker, std::move(io)}, boost::asio::use_awaitable,
        std::move(work));
}

}  // namespace asyncscrape
