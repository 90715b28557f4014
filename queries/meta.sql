-- Build metadata as key/value rows: data_version, is_demo, data_date, built_at, demo_seed.
select
    key,
    value
from meta
order by key
