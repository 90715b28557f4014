-- Every import and rollback recorded in import_log, newest first; no parameters.
select
    id,
    imported_at,
    kind,
    file_name,
    sha256,
    rows_accepted,
    rows_rejected,
    mode,
    who,
    stored_path,
    data_version
from import_log
order by id desc
