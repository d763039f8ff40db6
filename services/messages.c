/* messages — see messages.h. */
#include "messages.h"

#include "notifier.h"

int messages_legacy(int is_error, const char *text) { return notifier_send_legacy(is_error, text); }

int messages_db_upgrade_status(int start, int target, int to_version, int step, int total, const char *description)
{
    json_writer_t w;
    json_writer_t *d = notifier_message_begin(&w, "db_upgrade_status");
    json_begin_object(d);
    json_write_key(d, "start_version");
    json_write_int64(d, start);
    json_write_key(d, "target_version");
    json_write_int64(d, target);
    json_write_key(d, "current_upgrade");
    json_begin_object(d);
    json_write_key(d, "to_version");
    json_write_int64(d, to_version);
    json_write_key(d, "total_steps");
    json_write_int64(d, total);
    json_write_key(d, "current_step");
    json_write_int64(d, step);
    json_write_key(d, "description");
    json_write_str(d, description);
    json_end_object(d);
    json_end_object(d);
    return notifier_message_send(&w, "db_upgrade_status");
}

int messages_progress(const char *subtype, int processed, int total, const char *step)
{
    json_writer_t w;
    json_writer_t *d = notifier_message_begin(&w, "progress_updates");
    json_begin_object(d);
    json_write_key(d, "subtype");
    json_write_str(d, subtype);
    json_write_key(d, "total");
    json_write_int64(d, total);
    json_write_key(d, "processed");
    json_write_int64(d, processed);
    json_write_key(d, "step");
    json_write_str(d, step);
    json_end_object(d);
    return notifier_message_send(&w, "progress_updates");
}

int messages_exchange_unknown_asset(const char *location, const char *name, const char *identifier, const char *details)
{
    json_writer_t w;
    json_writer_t *d = notifier_message_begin(&w, "exchange_unknown_asset");
    json_begin_object(d);
    json_write_key(d, "location");
    json_write_str(d, location);
    json_write_key(d, "name");
    json_write_str(d, name);
    json_write_key(d, "identifier");
    json_write_str(d, identifier);
    json_write_key(d, "details");
    json_write_str(d, details);
    json_end_object(d);
    return notifier_message_send(&w, "exchange_unknown_asset");
}

int messages_history_events_status(const char *status, const char *location, const char *name, int64_t from_ts,
                                   int64_t to_ts)
{
    json_writer_t w;
    json_writer_t *d = notifier_message_begin(&w, "history_events_status");
    json_begin_object(d);
    json_write_key(d, "status");
    json_write_str(d, status);
    json_write_key(d, "location");
    json_write_str(d, location);
    json_write_key(d, "event_type");
    json_write_str(d, "history_query");
    json_write_key(d, "name");
    json_write_str(d, name);
    if (from_ts >= 0) {
        json_write_key(d, "period");
        json_begin_array(d);
        json_write_int64(d, from_ts);
        json_write_int64(d, to_ts);
        json_end_array(d);
    }
    json_end_object(d);
    return notifier_message_send(&w, "history_events_status");
}

int messages_transaction_status(const char *address, const char *chain, int64_t from_ts, int64_t to_ts, const char *status)
{
    json_writer_t w;
    json_writer_t *d = notifier_message_begin(&w, "transaction_status");
    json_begin_object(d);
    json_write_key(d, "address");
    json_write_str(d, address);
    json_write_key(d, "chain");
    json_write_str(d, chain);
    json_write_key(d, "subtype");
    json_write_str(d, "evm");
    json_write_key(d, "period");
    json_begin_array(d);
    json_write_int64(d, from_ts);
    json_write_int64(d, to_ts);
    json_end_array(d);
    json_write_key(d, "status");
    json_write_str(d, status);
    json_end_object(d);
    return notifier_message_send(&w, "transaction_status");
}
