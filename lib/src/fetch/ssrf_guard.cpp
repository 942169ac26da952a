#include "fetch/ssrf_guard.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>

namespace asyncscrape::fetch {

namespace ip = boost::asio::ip;

namespace {

struct V4Range {
    std::uint32_t network;
    int prefix_length;
};

constexpr std::uint32_t v4(std::uint32_t a, std::uint32_t b, std::uint32_t c, std::uint32_t d) {
    return a << 24 | b << 16 | c << 8 | d;
}

// The IANA special-purpose ranges that are not globally reachable, plus multicast and the
// reserved 240/4 (which holds the limited broadcast address).
constexpr std::array refused_v4_ranges{
    V4Range{v4(0, 0, 0, 0), 8},        // "this network", including the unspecified address
    V4Range{v4(10, 0, 0, 0), 8},       // private
    V4Range{v4(100, 64, 0, 0), 10},    // shared address space (carrier-grade NAT)
    V4Range{v4(127, 0, 0, 0), 8},      // loopback
    V4Range{v4(169, 254, 0, 0), 16},   // link-local, where cloud metadata services live
    V4Range{v4(172, 16, 0, 0), 12},    // private
    V4Range{v4(192, 0, 0, 0), 24},     // IETF protocol assignments
    V4Range{v4(192, 0, 2, 0), 24},     // documentation (TEST-NET-1)
    V4Range{v4(192, 88, 99, 0), 24},   // deprecated 6to4 relay anycast
    V4Range{v4(192, 168, 0, 0), 16},   // private
    V4Range{v4(198, 18, 0, 0), 15},    // benchmarking
    V4Range{v4(198, 51, 100, 0), 24},  // documentation (TEST-NET-2)
    V4Range{v4(203, 0, 113, 0), 24},   // documentation (TEST-NET-3)
    V4Range{v4(224, 0, 0, 0), 4},      // multicast
    V4Range{v4(240, 0, 0, 0), 4},      // reserved, and 255.255.255.255 broadcast
};

bool in_range(std::uint32_t address, V4Range range) {
    const std::uint32_t mask = ~std::uint32_t{0} << (32 - range.prefix_length);
    return (address & mask) == range.network;
}

bool is_public_v4(const ip::address_v4& address) {
    const std::uint32_t value = address.to_uint();
    return std::none_of(refused_v4_ranges.begin(), refused_v4_ranges.end(),
                        [value](V4Range range) { return in_range(value, range); });
}

using V6Bytes = ip::address_v6::bytes_type;

// Whether the first `bits` bits equal those of `prefix` (bytes it does not list are zero).
bool has_prefix(const V6Bytes& bytes, std::initializer_list<std::uint8_t> prefix, int bits) {
    for (int bit = 0; bit < bits; bit += 8) {
        const auto index = static_cast<std::size_t>(bit / 8);
        const std::uint8_t expected = index < prefix.size() ? prefix.begin()[index] : 0;
        const auto mask = static_cast<std::uint8_t>(0xff << (8 - std::min(8, bits - bit)));
        if ((bytes[index] & mask) != (expected & mask)) {
            return false;
        }
    }
    return true;
}

ip::address_v4 embedded_v4(const V6Bytes& bytes, std::size_t offset) {
    return ip::address_v4(ip::address_v4::bytes_type{bytes[offset], bytes[offset + 1],
                                                     bytes[offset + 2], bytes[offset + 3]});
}

bool is_public_v6(const ip::address_v6& address) {
    const V6Bytes bytes = address.to_bytes();
    // Forms that carry an IPv4 address are judged by it: ::ffff:127.0.0.1 reaches 127.0.0.1.
    if (address.is_v4_mapped()) {
        return is_public_v4(ip::make_address_v4(ip::v4_mapped, address));
    }
    if (has_prefix(bytes, {}, 96)) {  // IPv4-compatible, and :: and ::1 with it
        return is_public_v4(embedded_v4(bytes, 12));
    }
    if (has_prefix(bytes, {0x00, 0x64, 0xff, 0x9b}, 96)) {  // NAT64
        return is_public_v4(embedded_v4(bytes, 12));
    }
    if (has_prefix(bytes, {0x20, 0x02}, 16)) {  // 6to4
        return is_public_v4(embedded_v4(bytes, 2));
    }
    // Only 2000::/3 is allocated for global unicast; everything outside it (unique-local,
    // link-local, site-local, multicast, discard, local NAT64, ...) is refused.
    if (!has_prefix(bytes, {0x20}, 3)) {
        return false;
    }
    const bool protocol_assignments = has_prefix(bytes, {0x20, 0x01, 0x00}, 23);  // Teredo, ...
    const bool documentation =
        has_prefix(bytes, {0x20, 0x01, 0x0d, 0xb8}, 32) || has_prefix(bytes, {0x3f, 0xff}, 20);
    return !protocol_assignments && !documentation;
}

}  // namespace

bool is_public_address(const ip::address& address) {
    return address.is_v4() ? is_public_v4(address.to_v4()) : is_public_v6(address.to_v6());
}

AddressGuard::AddressGuard(bool allow_private_targets)
    : allow_private_targets_(allow_private_targets) {}

void AddressGuard::admit(const ip::address& address) {
    admitted_.push_back(address);
}

bool AddressGuard::permits(const ip::address& address) const {
    return allow_private_targets_ || is_public_address(address) ||
           std::find(admitted_.begin(), admitted_.end(), address) != admitted_.end();
}

}  // namespace asyncscrape::fetch
