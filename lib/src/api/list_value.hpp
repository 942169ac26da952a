// The shape of every list answer: {"items": [...], "total": N}.
#pragma once

#include <asyncscrape/store.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace asyncscrape::api {

template <class T, class ToValue>
boost::json::object list_value(const Page<T>& page, ToValue to_item) {
    boost::json::array items;
    items.reserve(page.items.size());
    for (const T& item : page.items) {
        items.emplace_back(to_item(item));
    }
    return {{"items", std::move(items)}, {"total", page.total}};
}

}  // namespace asyncscrape::api
