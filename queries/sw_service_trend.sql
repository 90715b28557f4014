-- Monthly person-times of the projects in scope: month, person-times, online person-times, offline person-times; $district, $street nullable.
-- A project counts in a scope when one of its sites lies in it; the sums per scope are derived when a version is published (sw_scope_month).
with
scope as (
    select coalesce($street, $district, 'city') as scope_code
    where $street is null
        or $district is null
        or exists (select 1 from street where code = $street and district_code = $district)
),

final as (
    select
        m.month,
        m.person_times,
        m.online_person_times,
        m.person_times - m.online_person_times as offline_person_times
    from sw_scope_month as m
    inner join scope as s on m.scope_code = s.scope_code
)

select * from final
order by month
