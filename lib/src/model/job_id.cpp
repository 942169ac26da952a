#include <asyncscrape/model.hpp>

#include "util/uuid.hpp"

namespace asyncscrape {

std::string job_id_of(std::string_view run_id, std::int64_t index) {
    std::string name;
    name.reserve(run_id.size() + 21);
    name.append(run_id).append("/").append(std::to_string(index));
    return uuid_from_name(name);
}

}  // namespace asyncscrape
