#pragma once
// What a store backend provides: a connection and the cursor of one statement. Database and
// Statement (database.hpp) are the only users; the modules above store/ never see which
// backend serves them.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "store/value.hpp"

namespace signet::store {

class Cursor {
public:
    virtual ~Cursor() = default;
    // A failed bind is kept and reported by step().
    virtual void bind(int index, const Value& value) = 0;
    virtual Result<bool> step() = 0;
    virtual std::int64_t column_int(int index) const = 0;
    virtual std::string column_text(int index) const = 0;
    virtual Blob column_blob(int index) const = 0;
    virtual bool column_is_null(int index) const = 0;
};

class Connection {
public:
    virtual ~Connection() = default;
    virtual Status execute(std::string_view sql) = 0;
    virtual Result<std::unique_ptr<Cursor>> prepare(std::string_view sql) = 0;
    // A write transaction: it excludes every other writer of the store, as SQLite's
    // BEGIN IMMEDIATE does, so that what it reads stays true until it commits.
    virtual Status begin(Durability durability) = 0;
    virtual Status commit() = 0;
    virtual void rollback() = 0;
    virtual Status probe_writable(std::chrono::milliseconds wait) = 0;
    virtual Status probe_commit() = 0;
    virtual std::int64_t changes() const = 0;
    virtual int schema_version() const = 0;
};

}  // namespace signet::store
