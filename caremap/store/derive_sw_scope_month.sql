-- Derived at publish time (build and import): monthly person-times of the projects in each scope. A project
-- counts in a district or street when one of its sites lies there; the city ('city') counts every project.
insert into sw_scope_month
with
project_scopes as (
    select distinct
        project_id,
        district_code as scope_code
    from sw_site
    where district_code is not null
    union
    select distinct
        project_id,
        street_code as scope_code
    from sw_site
    where street_code is not null
),

scoped as (
    select
        s.scope_code,
        m.month,
        sum(m.person_times)::bigint as person_times,
        sum(m.online_person_times)::bigint as online_person_times
    from project_scopes as s
    inner join sw_service_month as m on s.project_id = m.project_id
    group by s.scope_code, m.month
),

city as (
    select
        'city' as scope_code,
        month,
        sum(person_times)::bigint as person_times,
        sum(online_person_times)::bigint as online_person_times
    from sw_service_month
    group by month
)

select * from scoped
union all
select * from city
order by scope_code, month
