-- The worker posts of one version in scope, without names or phones, for a comparison of two versions: id, role, district_code, street_code, community_code, status; $district, $street nullable.
select
    id,
    role,
    district_code,
    street_code,
    community_code,
    status
from worker
where ($district is null or district_code = $district)
    and ($street is null or street_code = $street)
order by id
