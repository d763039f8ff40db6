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
