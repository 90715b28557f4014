-- Posts whose holder changed from the version attached as before_version to the one attached as after_version, in scope, without names or phones: change (appointed = in post now and not before, vacated = the reverse; a post missing in a version counts as not in post), id, role, district_code, street_code, community_code, status_before, status; $district, $street nullable.
with
b as (
    select id, role, district_code, street_code, community_code, status
    from before_version.worker
    where ($district is null or district_code = $district)
        and ($street is null or street_code = $street)
),

a as (
    select id, role, district_code, street_code, community_code, status
    from after_version.worker
    where ($district is null or district_code = $district)
        and ($street is null or street_code = $street)
),

paired as (
    select
        coalesce(a.id, b.id) as id,
        coalesce(a.role, b.role) as role,
        coalesce(a.district_code, b.district_code) as district_code,
        coalesce(a.street_code, b.street_code) as street_code,
        coalesce(a.community_code, b.community_code) as community_code,
        b.status as status_before,
        a.status,
        coalesce(a.status = '在岗', false) as in_post,
        coalesce(b.status = '在岗', false) as was_in_post
    from a full outer join b on a.id = b.id
)

select
    case when in_post then 'appointed' else 'vacated' end as change,
    id, role, district_code, street_code, community_code, status_before, status
from paired
where in_post != was_in_post
order by change, id
