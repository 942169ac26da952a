// Ids, timestamps, wire spellings and the text encodings the JSON mapping relies on.
#include "model/utf8.hpp"
#include "util/base64.hpp"
#include "util/digest.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

#include <asyncscrape/model.hpp>

#include <catch2/catch.hpp>

#include <set>

using namespace asyncscrape;

TEST_CASE("new_uuid gives canonical lower-case version 4 ids") {
    for (int i = 0; i < 1000; ++i) {
        const std::string id = new_uuid();
        INFO(id);
        REQUIRE(id.size() == 36);
        CHECK(id[14] == '4');
        CHECK(std::string("89ab").find(id[19]) != std::string::npos);
        CHECK(is_uuid(id));
    }
}

TEST_CASE("new_uuid does not repeat") {
    std::set<std::string> ids;
    for (int i = 0; i < 10000; ++i) {
        ids.insert(new_uuid());
    }
    CHECK(ids.size() == 10000);
}

TEST_CASE("uuid_from_name is the name's SHA-256 as a version 8 UUID") {
    // SHA-256("abc") begins ba7816bf 8f01cfea 414140de 5dae2223; version and variant bits set.
    CHECK(uuid_from_name("abc") == "ba7816bf-8f01-8fea-8141-40de5dae2223");
    CHECK(uuid_from_name("abc") == uuid_from_name("abc"));
    CHECK(is_uuid(uuid_from_name("")));
}

TEST_CASE("a SHA-256 hasher starts over after each digest") {
    const std::string abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    const std::string empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    Sha256 hasher;
    CHECK(to_hex(hasher.add("a").add("bc").finish()) == abc);
    CHECK(to_hex(hasher.finish()) == empty);
    CHECK(to_hex(hasher.add("abc").finish()) == abc);
    // The one-shot form reuses one hasher per thread.
    CHECK(to_hex(sha256("abc")) == abc);
    CHECK(to_hex(sha256("")) == empty);
}

TEST_CASE("job ids are derived from the run and the index, distinct within and across runs") {
    const std::string run = "c38b0bcf-cb7c-4728-8704-2c2e267dcff9";
    const std::string other = "9b64941a-4545-4c57-9174-c70e781d9192";
    CHECK(job_id_of(run, 7) == job_id_of(run, 7));
    CHECK(job_id_of(run, 7) == uuid_from_name(run + "/7"));
    std::set<std::string> ids;
    for (std::int64_t index = 0; index < 10000; ++index) {
        const std::string id = job_id_of(run, index);
        REQUIRE(is_uuid(id));
        ids.insert(id);
        ids.insert(job_id_of(other, index));
    }
    CHECK(ids.size() == 20000);
}

TEST_CASE("is_uuid accepts only the canonical form of a version 4 or 8 UUID") {
    CHECK(is_uuid("ba7816bf-8f01-8fea-8141-40de5dae2223"));
    CHECK(is_uuid("c38b0bcf-cb7c-4728-8704-2c2e267dcff9"));
    CHECK(is_uuid("9b64941a-4545-4c57-9174-c70e781d9192"));
    CHECK(is_uuid("00000000-0000-4000-b000-000000000000"));
    CHECK_FALSE(is_uuid("C38B0BCF-CB7C-4728-8704-2C2E267DCFF9"));  // upper case
    CHECK_FALSE(is_uuid("c38b0bcf-cb7c-1728-8704-2c2e267dcff9"));  // version 1
    CHECK_FALSE(is_uuid("c38b0bcf-cb7c-5728-8704-2c2e267dcff9"));  // version 5
    CHECK_FALSE(is_uuid("c38b0bcf-cb7c-4728-c704-2c2e267dcff9"));  // variant 110x
    CHECK_FALSE(is_uuid("c38b0bcfcb7c47288704-2c2e267dcff9"));
    CHECK_FALSE(is_uuid("c38b0bcf-cb7c-4728-8704-2c2e267dcff"));
    CHECK_FALSE(is_uuid("c38b0bcf-cb7c-4728-8704-2c2e267dcff9a"));
    CHECK_FALSE(is_uuid("g38b0bcf-cb7c-4728-8704-2c2e267dcff9"));
    CHECK_FALSE(is_uuid("c38b0bcf_cb7c-4728-8704-2c2e267dcff9"));
    CHECK_FALSE(is_uuid(""));
    CHECK_FALSE(is_uuid("collections"));
}

TEST_CASE("format_rfc3339 of known instants") {
    using std::chrono::milliseconds;
    CHECK(format_rfc3339(TimePoint{}) == "1970-01-01T00:00:00.000Z");
    CHECK(format_rfc3339(TimePoint{milliseconds(1795885200123)}) == "2026-11-28T17:00:00.123Z");
    CHECK(format_rfc3339(TimePoint{milliseconds(951782400999)}) == "2000-02-29T00:00:00.999Z");
    CHECK(format_rfc3339(TimePoint{milliseconds(-1)}) == "1969-12-31T23:59:59.999Z");
    // Sub-millisecond parts are cut, not rounded up into the next millisecond.
    CHECK(format_rfc3339(TimePoint{std::chrono::microseconds(1999)}) == "1970-01-01T00:00:00.001Z");
}

TEST_CASE("Rfc3339Text holds the same text in place") {
    const TimePoint time{std::chrono::milliseconds(1795885200123)};
    const Rfc3339Text text(time);
    CHECK(text.view() == "2026-11-28T17:00:00.123Z");
    CHECK(text.view() == format_rfc3339(time));
}

TEST_CASE("wire spellings and their inverses agree") {
    for (auto type :
         {ActionType::wait_for_timeout, ActionType::wait_for_selector, ActionType::click,
          ActionType::fill, ActionType::type, ActionType::press, ActionType::hover,
          ActionType::select_option, ActionType::scroll, ActionType::scroll_to_bottom,
          ActionType::wait_for_navigation, ActionType::evaluate}) {
        CHECK(parse_action_type(to_string(type)) == type);
    }
    CHECK(to_string(ActionType::scroll_to_bottom) == "scroll-to-bottom");
    CHECK(to_string(ActionType::select_option) == "select-option");
    for (auto status : {RunStatus::in_progress, RunStatus::completed, RunStatus::cancelled}) {
        CHECK(parse_run_status(to_string(status)) == status);
    }
    for (auto status : {JobStatus::pending, JobStatus::running, JobStatus::success,
                        JobStatus::failed, JobStatus::timeout, JobStatus::cancelled}) {
        CHECK(parse_job_status(to_string(status)) == status);
    }
    CHECK(to_string(RunStatus::in_progress) == "in_progress");
    CHECK(to_string(OnError::skip) == "skip");
    CHECK(to_string(SelectorState::hidden) == "hidden");
    CHECK(to_string(ActionStatus::skipped) == "skipped");
    CHECK_FALSE(parse_action_type("Click"));
    CHECK_FALSE(parse_run_status("done"));
    CHECK_FALSE(parse_job_status(""));
}

TEST_CASE("base64 of the RFC 4648 test vectors") {
    CHECK(encode_base64("") == "");
    CHECK(encode_base64("f") == "Zg==");
    CHECK(encode_base64("fo") == "Zm8=");
    CHECK(encode_base64("foo") == "Zm9v");
    CHECK(encode_base64("foob") == "Zm9vYg==");
    CHECK(encode_base64("fooba") == "Zm9vYmE=");
    CHECK(encode_base64("foobar") == "Zm9vYmFy");
    CHECK(encode_base64(std::string("\xFF\xFE\x00", 3)) == "//4A");
}

TEST_CASE("UTF-8 validity and character counts") {
    CHECK(is_valid_utf8(""));
    CHECK(is_valid_utf8("plain ascii"));
    CHECK(is_valid_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));  // é € 😀
    CHECK(is_valid_utf8("\xF4\x8F\xBF\xBF"));                           // U+10FFFF
    CHECK_FALSE(is_valid_utf8("\x80"));                                 // lone continuation
    CHECK_FALSE(is_valid_utf8("\xC0\x80"));                             // overlong NUL
    CHECK_FALSE(is_valid_utf8("\xE0\x80\xAF"));                         // overlong '/'
    CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));                         // surrogate
    CHECK_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));                     // above U+10FFFF
    CHECK_FALSE(is_valid_utf8("\xE2\x82"));                             // truncated
    CHECK_FALSE(is_valid_utf8("\xE2\x28\xA1"));                         // bad continuation
    CHECK_FALSE(is_valid_utf8("\xFF"));
    CHECK(count_code_points("caf\xC3\xA9 \xF0\x9F\x98\x80") == 6);
}
