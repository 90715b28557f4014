-- Number of located social-work project sites in a scope: one row (sites); $district, $street nullable.
select count(*) as sites
from sw_site
where ($district is null or district_code = $district)
    and ($street is null or street_code = $street)
    and lon is not null
    and lat is not null
