-- Rows in each data table, one row per table (table_name, rows); no parameters. Build and import report these.
select
    'district' as table_name,
    count(*) as rows
from district
union all
select
    'street' as table_name,
    count(*) as rows
from street
union all
select
    'community' as table_name,
    count(*) as rows
from community
union all
select
    'service_point' as table_name,
    count(*) as rows
from service_point
union all
select
    'worker' as table_name,
    count(*) as rows
from worker
union all
select
    'sw_org' as table_name,
    count(*) as rows
from sw_org
union all
select
    'sw_project' as table_name,
    count(*) as rows
from sw_project
union all
select
    'sw_site' as table_name,
    count(*) as rows
from sw_site
union all
select
    'sw_service_month' as table_name,
    count(*) as rows
from sw_service_month
union all
select
    'coverage_standard' as table_name,
    count(*) as rows
from coverage_standard
union all
select
    'policy' as table_name,
    count(*) as rows
from policy
union all
select
    'announcement' as table_name,
    count(*) as rows
from announcement
