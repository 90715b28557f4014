-- Monthly person-times of the projects in scope: month, person-times, online person-times, offline person-times; $district, $street nullable.
with
sites as (
    select distinct project_id
    from sw_site
    where ($district is null or district_code = $district)
        and ($street is null or street_code = $street)
),

final as (
    select
        m.month,
        sum(m.person_times)::bigint as person_times,
        sum(m.online_person_times)::bigint as online_person_times,
        (sum(m.person_times) - sum(m.online_person_times))::bigint as offline_person_times
    from sw_service_month as m
    where ($district is null and $street is null)
        or m.project_id in (select project_id from sites)
    group by m.month
)

select * from final
order by month
